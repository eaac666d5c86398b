import type { KubeObject } from '../state';
import { identifierOf } from './kpackRebase';

/** Why an Image needs a new Build: kpack's `image.kpack.io/reason` values and `buildChanges` entries. */
export interface BuildReasons {
  reasons: string[];
  changes: Array<Record<string, unknown>>;
}

function succeeded(build: KubeObject): boolean {
  return (build.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Succeeded' && c.status === 'True');
}

/**
 * Whether an Image needs a Build, and why (kpack pkg/reconciler/image/build_required.go):
 * CONFIG for a first build or a new Image generation, COMMIT when the
 * resolver resolved another commit than the latest Build's, TRIGGER when the
 * latest Build carries `additionalBuildNeeded`, STACK when the latest Build
 * succeeded on another run image than the builder's now (compared by digest,
 * kpack pkg/buildchange/stack_change.go). BUILDPACK and LIFECYCLE changes are
 * not emulated.
 */
export function buildReasons(image: KubeObject, latest: KubeObject | undefined, resolvedCommit: string, runImage: string): BuildReasons {
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
  // kpack build_required.go `stackChange`: only a latest Build that succeeded is compared with the builder.
  const builtOn: string | undefined = latest.status?.stack?.runImage;
  if (succeeded(latest) && builtOn && identifierOf(builtOn) !== identifierOf(runImage)) {
    reasons.push('STACK');
    changes.push({ reason: 'STACK', old: identifierOf(builtOn), new: identifierOf(runImage) });
  }
  return { reasons, changes };
}
