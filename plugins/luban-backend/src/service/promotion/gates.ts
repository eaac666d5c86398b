import { shortDigest, type LubanGateResult, type LubanGates, type LubanVulnerabilities } from '@luban-backstage/plugin-luban-common';
import type { KpackBuild } from '@luban-backstage/plugin-luban-node';

/** Harbor's severities from worst to least, as `blockSeverity` names them. */
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
const COUNT_OF: Record<(typeof SEVERITIES)[number], keyof LubanVulnerabilities> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
};

/** What the gates of a promotion are decided on, read just before deciding. */
export interface GateInputs {
  /** The source environment's name, for the reasons. */
  source: string;
  gates: LubanGates;
  digest: string;
  /**
   * The source environment's Argo CD application; undefined when luban found none. `images` are the
   * images Argo CD reports running (`status.summary.images`), when it reports them.
   */
  argoCd?: { application: string; syncStatus: string; healthStatus: string; images?: string[] };
  /** The kpack Build whose image is the digest; undefined when none is known. */
  build?: KpackBuild;
  /** The tags Harbor holds the digest under; undefined when Harbor was not read. */
  harborTags?: string[];
  /** undefined with `vulnerabilityProblem` when Harbor could not be read. */
  vulnerabilities?: LubanVulnerabilities;
  vulnerabilityProblem?: string;
  /** Since when the digest runs in the source environment (ISO 8601). */
  runningSince?: string;
  now: Date;
}

function argoCdGate(
  inputs: GateInputs,
  gate: 'synced' | 'healthy',
  required: boolean,
  expected: string,
): LubanGateResult {
  const { source, argoCd } = inputs;
  if (!required) return { gate, passed: true, reason: `Not required: ${source} need not be ${expected}` };
  if (!argoCd) {
    return { gate, passed: false, reason: `${source} has no Argo CD application, so luban cannot tell whether it is ${expected}` };
  }
  const status = gate === 'synced' ? argoCd.syncStatus : argoCd.healthStatus;
  if (status !== expected) return { gate, passed: false, reason: `${source} is ${status}, not ${expected} (${argoCd.application})` };
  if (gate === 'synced' && !runsDigest(argoCd.images, inputs.digest)) {
    // Until Argo CD reads the commit (at its next reconciliation, minutes on a real install), the
    // application is Synced to the commit before it: Synced alone does not say the digest runs.
    return {
      gate,
      passed: false,
      reason: `${source} is ${expected} (${argoCd.application}), but Argo CD does not run ${shortDigest(inputs.digest)} there yet${argoCd.images?.length ? ` (it runs ${argoCd.images.map(image => shortDigest(image.split('@')[1] ?? image)).join(', ')})` : ''}`,
    };
  }
  return { gate, passed: true, reason: `${source} is ${expected} (${argoCd.application})` };
}

/** Whether Argo CD reports the digest among the images it runs; true when it reports none (nothing to tell). */
function runsDigest(images: string[] | undefined, digest: string): boolean {
  if (!images?.length) return true;
  return images.some(image => image.endsWith(`@${digest}`));
}

/**
 * The kpack build tag among an image's tags, `b<N>.<yyyymmdd>.<hhmmss>` or
 * `<tag>-b<N>…` (kpack pkg/apis/build/v1alpha2/image_builds.go generateTags).
 */
function kpackBuildTag(tags: string[] | undefined): { tag: string; number: number } | undefined {
  for (const tag of tags ?? []) {
    const match = /(?:^|-)b(\d+)\.\d{8}\.\d{6}$/.exec(tag);
    if (match) return { tag, number: Number(match[1]) };
  }
  return undefined;
}

function buildGate({ gates, build, digest, harborTags }: GateInputs): LubanGateResult {
  const gate = 'build-succeeded';
  if (!gates.requireBuildSucceeded) return { gate, passed: true, reason: 'Not required: the build of the image is not checked' };
  const pushed = build ? undefined : kpackBuildTag(harborTags);
  if (pushed) {
    // kpack deletes an Image's oldest Builds beyond its history limits (pkg/reconciler/image/image.go
    // deleteOldBuilds). The image is the evidence left: kpack pushes it, under this build's own tag, only
    // from the export step, the last lifecycle step; a build that fails before it pushes nothing.
    return {
      gate,
      passed: true,
      reason: `Build #${pushed.number} produced ${shortDigest(digest)} (Harbor holds it as ${pushed.tag}); kpack has since deleted the Build under its build history limit`,
    };
  }
  if (!build) {
    return {
      gate,
      passed: false,
      reason: `No kpack Build of this app produced ${shortDigest(digest)}${harborTags ? ', and Harbor holds it under no kpack build tag' : ''}, so luban cannot tell how it was built`,
    };
  }
  if (build.status === 'succeeded') return { gate, passed: true, reason: `Build #${build.number} (${build.name}) succeeded` };
  return {
    gate,
    passed: false,
    reason: `Build #${build.number} (${build.name}) ${build.status === 'running' ? 'has not finished' : build.status}${build.message ? `: ${build.message}` : ''}`,
  };
}

/** Where a scan without counts stands, as the refusal says it. */
const SCAN_NOW: Partial<Record<NonNullable<LubanVulnerabilities['scanStatus']>, string>> = {
  scanning: ' (it is being scanned)',
  failed: ' (its scan failed)',
};

function vulnerabilityGate({ gates, vulnerabilities, vulnerabilityProblem, digest }: GateInputs): LubanGateResult {
  const gate = 'vulnerabilities';
  const block = gates.blockSeverity;
  if (block === 'NONE') return { gate, passed: true, reason: 'Not required: vulnerabilities are not checked (blockSeverity NONE)' };
  if (!vulnerabilities) {
    return { gate, passed: false, reason: `The scan of ${shortDigest(digest)} could not be read: ${vulnerabilityProblem ?? 'Harbor is not configured'}` };
  }
  // The reason links Harbor's page of the artifact, where the scan can be read in full.
  const url = vulnerabilities.url ? { url: vulnerabilities.url } : {};
  if (!vulnerabilities.scanned) {
    const now = SCAN_NOW[vulnerabilities.scanStatus ?? 'not-scanned'] ?? '';
    return { gate, passed: false, reason: `Harbor has not scanned ${shortDigest(digest)} yet${now}; it must be scanned before promotion`, ...url };
  }
  const blocking = SEVERITIES.slice(0, SEVERITIES.indexOf(block) + 1);
  const found = blocking
    .map(severity => ({ severity, count: Number(vulnerabilities[COUNT_OF[severity]]) }))
    .filter(({ count }) => count > 0);
  if (found.length === 0) {
    return { gate, passed: true, reason: `No vulnerability at or above ${block} in ${shortDigest(digest)}`, ...url };
  }
  return {
    gate,
    passed: false,
    reason: `${shortDigest(digest)} has ${found.map(({ severity, count }) => `${count} ${severity}`).join(', ')} ${found.length === 1 && found[0].count === 1 ? 'vulnerability' : 'vulnerabilities'} (blocked at ${block} and above)`,
    ...url,
  };
}

function soakGate({ gates, source, runningSince, now }: GateInputs): LubanGateResult {
  const gate = 'soak';
  const minutes = gates.minSoakMinutes;
  if (minutes <= 0) return { gate, passed: true, reason: 'Not required: no minimum soak time' };
  const since = runningSince ? Date.parse(runningSince) : NaN;
  if (Number.isNaN(since)) {
    return { gate, passed: false, reason: `luban cannot tell since when ${source} runs this image; it must run ${minutes} minutes first` };
  }
  const soaked = Math.floor((now.getTime() - since) / 60_000);
  return soaked >= minutes
    ? { gate, passed: true, reason: `It has run in ${source} for ${soaked} minutes (at least ${minutes} required)` }
    : { gate, passed: false, reason: `It has run in ${source} for ${soaked} minutes; ${minutes} are required` };
}

/** Decides every gate of a promotion; gates an environment does not require pass, saying so. */
export function evaluateGates(inputs: GateInputs): LubanGateResult[] {
  return [
    argoCdGate(inputs, 'synced', inputs.gates.requireSynced, 'Synced'),
    argoCdGate(inputs, 'healthy', inputs.gates.requireHealthy, 'Healthy'),
    buildGate(inputs),
    vulnerabilityGate(inputs),
    soakGate(inputs),
  ];
}
