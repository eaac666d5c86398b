import { findResourceType } from '../resources';
import type { KubeObject, KubeStore } from '../state';
import { webhookDenied, type AdmissionRequest } from './webhook';
import { compareQuantities, formatQuantity, parseQuantity } from './quantity';

/**
 * kpack's admission webhooks for Images (`defaults.webhook.kpack.io` and
 * `validation.webhook.kpack.io`), as far as the build cache goes:
 * kpack cmd/webhook/main.go (withCheckDefaultStorageClass) and
 * pkg/apis/build/v1alpha2/image_validation.go (SetDefaults, validateVolumeCache, ImageCacheConfig.Validate).
 * Other Image validation (tag, builder, source, notary, cosign) is not modelled.
 */

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** image_validation.go: `defaultCacheSize = resource.MustParse("2G")`. */
const DEFAULT_CACHE_SIZE = '2G';

/** A knative apis.FieldError: a message, the fields it concerns and optional details. */
interface FieldError {
  message: string;
  paths: string[];
  details?: string;
}

type Cache = { volume?: { size?: string; storageClassName?: string }; registry?: unknown } | undefined | null;

/**
 * What the webhook's StorageClass lister finds: the first class annotated
 * as default, and whether it allows volume expansion (main.go breaks at the first default).
 */
function defaultStorageClass(store: KubeStore): { expandable: boolean } | undefined {
  const type = findResourceType('storage.k8s.io', 'v1', 'storageclasses')!;
  const found = store.list(type).find(sc => sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  return found ? { expandable: found.allowVolumeExpansion === true } : undefined;
}

/** Image.SetDefaults: the defaulting webhook's mutation, on create and on update. */
function setDefaults(image: KubeObject, hasDefaultClass: boolean): KubeObject {
  const spec = { ...(image.spec as Record<string, unknown> | undefined) };
  spec.serviceAccountName = spec.serviceAccountName || 'default';
  spec.imageTaggingStrategy = spec.imageTaggingStrategy || 'BuildNumber';
  spec.failedBuildHistoryLimit = spec.failedBuildHistoryLimit ?? 10;
  spec.successBuildHistoryLimit = spec.successBuildHistoryLimit ?? 10;
  if ((spec.cache === undefined || spec.cache === null) && hasDefaultClass) {
    spec.cache = { volume: { size: DEFAULT_CACHE_SIZE } };
  }
  return { ...image, spec };
}

/** ImageSpec.NeedVolumeCache: a volume cache with a size. */
function needVolumeCache(cache: Cache): boolean {
  return cache?.volume?.size !== undefined && cache.volume.size !== null;
}

/** ImageSpec.validateVolumeCache (paths already under `spec`). */
function validateVolumeCache(cache: Cache, original: Cache | undefined, hasDefaultClass: boolean): FieldError | undefined {
  if (cache?.volume && !cache.volume.storageClassName && !hasDefaultClass) {
    return {
      message: 'spec.cache.volume.size cannot be set without spec.cache.volume.storageClassName or a default StorageClass',
      paths: [],
    };
  }
  if (original === undefined || !needVolumeCache(original) || !needVolumeCache(cache)) return undefined;
  const [current, requested] = [parseQuantity(original!.volume!.size), parseQuantity(cache!.volume!.size)];
  // The webhook's "Field cannot be changed, default storage class is not expandable" branch tests
  // ctx.Value(IsExpandable) == false, but main.go only ever sets IsExpandable to true: it never fires.
  if (current && requested && compareQuantities(requested, current) < 0) {
    return {
      message: 'Field cannot be decreased',
      paths: ['spec.cache.volume.size'],
      details: `current: ${formatQuantity(current)}, requested: ${formatQuantity(requested)}`,
    };
  }
  const [was, now] = [original!.volume!.storageClassName ?? '', cache!.volume!.storageClassName ?? ''];
  if (was !== now) {
    // pkg/apis/validate/validation_helpers.go ImmutableField.
    return { message: 'Immutable field changed', paths: ['spec.cache.volume.storageClassName'], details: `got: ${now}, want: ${was}` };
  }
  return undefined;
}

/** apis.FieldError.Error(): each error as `<message>: <paths>[\n<details>]`, sorted by message, one per line. */
function formatFieldErrors(errors: FieldError[]): string {
  const order = (e: FieldError) => `${e.message}\u0000${e.details ?? ''}`;
  return [...errors]
    .sort((a, b) => (order(a) < order(b) ? -1 : 1))
    .map(e => `${e.message}: ${e.paths.join(', ')}${e.details ? `\n${e.details}` : ''}`)
    .join('\n');
}

/** Defaults, then validates, an Image create or update as kpack's two webhooks do. */
export function admitKpackImage(request: AdmissionRequest): KubeObject {
  const defaultClass = defaultStorageClass(request.store);
  const image = setDefaults(request.object, defaultClass !== undefined);
  const cache = (image.spec as { cache?: Cache }).cache;
  const original = request.oldObject ? ((request.oldObject.spec as { cache?: Cache } | undefined)?.cache ?? null) : undefined;
  const errors: FieldError[] = [];
  if (cache?.volume && cache.registry) {
    // ImageCacheConfig.Validate: ErrGeneric(..., "volume", "registry").ViaField("cache").ViaField("spec").
    errors.push({ message: 'only one type of cache can be specified', paths: ['spec.cache.registry', 'spec.cache.volume'] });
  }
  const volumeError = validateVolumeCache(cache, original, defaultClass !== undefined);
  if (volumeError) errors.push(volumeError);
  if (errors.length) {
    // knative.dev/pkg webhook/resourcesemantics/validation/validation_admit.go: MakeErrorStatus("validation failed: %v", errors),
    // which is apierrors.NewBadRequest: 400 BadRequest.
    throw webhookDenied('validation.webhook.kpack.io', {
      code: 400,
      reason: 'BadRequest',
      message: `validation failed: ${formatFieldErrors(errors)}`,
    });
  }
  return image;
}
