import type { KubeObject } from '../state';

/** Why an Image needs a new Build: kpack's `image.kpack.io/reason` values and `buildChanges` entries. */
export interface BuildReasons {
  reasons: string[];
  changes: Array<Record<string, unknown>>;
}

/**
 * Whether an Image needs a Build, and why (kpack pkg/reconciler/image/build_required.go):
 * CONFIG for a first build or a new Image generation, COMMIT when the
 * resolver resolved another commit than the latest Build's, TRIGGER when the
 * latest Build carries `additionalBuildNeeded`. BUILDPACK, STACK and
 * LIFECYCLE changes are not emulated.
 */
export function buildReasons(image: KubeObject, latest: KubeObject | undefined, resolvedCommit: string): BuildReasons {
  if (!latest) {
    return { reasons: ['CONFIG'], changes: [{ reason: 'CONFIG', old: {}, new: { source: image.spec.source } }] };
  }
  const reasons: string[] = [];
  const changes: Array<Record<string, unknown>> = [];
  const builtGeneration = Number(latest.metadata.labels?.['image.kpack.io/imageGeneration'] ?? 0);
  if ((image.metadata.generation ?? 1) > builtGeneration) {
    reasons.push('CONFIG');
    changes.push({ reason: 'CONFIG', old: { source: latest.spec.source }, new: { source: image.spec.source } });
  }
  const builtCommit = latest.spec?.source?.git?.revision;
  if (builtCommit !== resolvedCommit) {
    reasons.push('COMMIT');
    changes.push({ reason: 'COMMIT', old: builtCommit, new: resolvedCommit });
  }
  const trigger = latest.metadata.annotations?.['image.kpack.io/additionalBuildNeeded'];
  if (trigger) {
    reasons.push('TRIGGER');
    changes.push({ reason: 'TRIGGER', old: '', new: trigger });
  }
  return { reasons, changes };
}
