import type { KpackCacheConfig } from '@luban-backstage/plugin-luban-node';

/** kpack's own cache size (pkg/apis/build/v1alpha2/image_validation.go), for a configured class without a size. */
const KPACK_DEFAULT_CACHE_SIZE = '2G';

const SCALE: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The bytes a quantity such as `2G` or `500Mi` stands for; NaN when it is not one. */
function bytes(quantity: unknown): number {
  const match = typeof quantity === 'string' ? /^(\d+\.?\d*|\.\d+)(?:([kMGTPE]i?)|[eE](\d+))?$/.exec(quantity) : null;
  if (!match) return NaN;
  const [, number, suffix = '', exponent] = match;
  return Number(number) * (exponent ? 10 ** Number(exponent) : SCALE[suffix] ?? NaN);
}

/** An Image's `spec.cache` as luban writes it. */
export type ImageCache = { volume: { size: string; storageClassName?: string } };

/** An Image's `spec.cache` as found on the cluster: whatever kpack admitted. */
export type LiveCache = { volume?: { size?: string; storageClassName?: string }; registry?: { tag?: string } };

/**
 * The cache volume `luban.kpack.cache` gives a new Image: none when nothing is
 * configured, so kpack's defaulting gives 2G where the cluster has a default
 * StorageClass and nothing where a volume would be refused.
 */
export function configuredCache(config: KpackCacheConfig): ImageCache | undefined {
  if (!config.size && !config.storageClassName) return undefined;
  const size = config.size ?? KPACK_DEFAULT_CACHE_SIZE;
  return { volume: { size, ...(config.storageClassName ? { storageClassName: config.storageClassName } : {}) } };
}

function describe(cache: LiveCache): string {
  if (!cache.volume) return cache.registry ? `a registry cache (${cache.registry.tag})` : 'no cache volume';
  const { size, storageClassName } = cache.volume;
  return `${size ?? 'no size'} on ${storageClassName ? `StorageClass '${storageClassName}'` : 'the default StorageClass'}`;
}

/** Why kpack or the cluster would refuse to turn the live cache into the wanted one. */
function whyKept(live: LiveCache, wanted: ImageCache): string {
  if (!live.volume) return 'kpack allows one kind of cache per Image';
  if ((live.volume.storageClassName ?? '') !== (wanted.volume.storageClassName ?? '')) {
    return "kpack refuses to change the StorageClass of an Image's cache";
  }
  if (bytes(wanted.volume.size) < bytes(live.volume.size)) return 'kpack refuses to shrink a cache';
  return "a larger cache only takes where the StorageClass allows volume expansion (else kpack's resize of the claim fails), so luban leaves growing it to you (kp image patch --cache-size)";
}

/**
 * The cache to write on an Image that may already exist. A new Image, or
 * one without a cache, gets the configured one; an existing cache is kept
 * as it is whenever it differs, with `kept` saying what differs and why:
 * kpack's admission refuses a smaller size or another class, and a larger
 * size fails later on a class without volume expansion, which luban cannot see.
 */
export function cacheOnReRun(
  live: object | undefined,
  wanted: ImageCache | undefined,
): { cache?: ImageCache | LiveCache; kept?: string } {
  const current = (live as { spec?: { cache?: LiveCache | null } } | undefined)?.spec?.cache;
  if (!wanted || !current) return { cache: wanted };
  const same =
    current.volume !== undefined &&
    !current.registry &&
    bytes(current.volume.size) === bytes(wanted.volume.size) &&
    (current.volume.storageClassName ?? '') === (wanted.volume.storageClassName ?? '');
  if (same) return { cache: current };
  return {
    cache: current,
    kept: `keeps its build cache (${describe(current)}), not the configured ${describe(wanted)}: ${whyKept(current, wanted)}`,
  };
}
