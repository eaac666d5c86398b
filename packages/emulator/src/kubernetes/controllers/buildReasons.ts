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

/** What kpack compares for a CONFIG change (pkg/buildchange/config_change.go `Config`): empty and absent are the same. */
function configOf(spec: { env?: unknown[]; resources?: object; services?: unknown[]; source?: { git?: object } } | undefined) {
  const { revision: _revision, ...git } = (spec?.source?.git ?? {}) as { revision?: string };
  const nonEmpty = (value: unknown) =>
    value === undefined || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value && Object.keys(value).length === 0) ? undefined : value;
  return JSON.stringify({
    env: nonEmpty(spec?.env),
    resources: nonEmpty(spec?.resources),
    services: nonEmpty(spec?.services),
    // A new revision is a COMMIT change, not a CONFIG one.
    source: { ...spec?.source, git },
  });
}

/**
 * Whether an Image needs a Build, and why, in kpack's order (pkg/reconciler/image/build_required.go
 * `isBuildRequired`): TRIGGER when the latest Build carries `additionalBuildNeeded`, COMMIT when the
 * resolver resolved another commit than the latest Build's, CONFIG for a first build or when the
 * Image's build env, resources, services or source (its revision aside) differ from the latest
 * Build's (pkg/buildchange/config_change.go; other spec changes, e.g. history limits, build
 * nothing), STACK when the latest Build succeeded on another run image than the builder's now
 * (compared by digest, pkg/buildchange/stack_change.go). BUILDPACK and LIFECYCLE changes are not
 * emulated.
 */
export function buildReasons(image: KubeObject, latest: KubeObject | undefined, resolvedCommit: string, runImage: string): BuildReasons {
  if (!latest) {
    return { reasons: ['CONFIG'], changes: [{ reason: 'CONFIG', old: {}, new: { source: image.spec.source } }] };
  }
  const reasons: string[] = [];
  const changes: Array<Record<string, unknown>> = [];
  const trigger = latest.metadata.annotations?.['image.kpack.io/additionalBuildNeeded'];
  if (trigger) {
    reasons.push('TRIGGER');
    changes.push({ reason: 'TRIGGER', old: '', new: trigger });
  }
  const builtCommit = latest.spec?.source?.git?.revision;
  if (builtCommit !== resolvedCommit) {
    reasons.push('COMMIT');
    changes.push({ reason: 'COMMIT', old: builtCommit, new: resolvedCommit });
  }
  const wanted = { ...image.spec?.build, source: image.spec?.source };
  if (configOf(latest.spec) !== configOf(wanted)) {
    reasons.push('CONFIG');
    changes.push({ reason: 'CONFIG', old: { source: latest.spec.source }, new: { source: image.spec.source } });
  }
  // kpack build_required.go `stackChange`: only a latest Build that succeeded is compared with the builder.
  const builtOn: string | undefined = latest.status?.stack?.runImage;
  if (succeeded(latest) && builtOn && identifierOf(builtOn) !== identifierOf(runImage)) {
    reasons.push('STACK');
    changes.push({ reason: 'STACK', old: identifierOf(builtOn), new: identifierOf(runImage) });
  }
  return { reasons, changes };
}
