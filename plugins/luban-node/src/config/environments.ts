import { readDurationFromConfig, type Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { DEFAULT_MAX_STALENESS_MS } from '../git/repositoryWatch';
import { InputError } from '@backstage/errors';
import {
  DEFAULT_OVERLAY_PATH_PATTERN,
  findNameProblem,
  type LubanEnvironment,
  type LubanGates,
} from '@luban-backstage/plugin-luban-common';
import { readAutoPromote } from './releases';

const SEVERITIES: LubanGates['blockSeverity'][] = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** The gates of an environment that is promoted into, unless configured otherwise. */
const DEFAULT_GATES: LubanGates = {
  requireSynced: true,
  requireHealthy: true,
  requireBuildSucceeded: true,
  blockSeverity: 'CRITICAL',
  minSoakMinutes: 0,
};

/**
 * The environments used when `luban.environments` is not configured.
 * @public
 */
export const DEFAULT_ENVIRONMENTS: ReadonlyArray<LubanEnvironment> = [
  {
    name: 'snd',
    namespacePattern: '{env}-{project}',
    autoSync: true,
    overlayPathPattern: DEFAULT_OVERLAY_PATH_PATTERN,
    requiredApprovals: 0,
  },
  {
    name: 'prd',
    namespacePattern: '{env}-{project}',
    autoSync: false,
    overlayPathPattern: DEFAULT_OVERLAY_PATH_PATTERN,
    promotesFrom: 'snd',
    gates: DEFAULT_GATES,
    requiredApprovals: 1,
  },
];

/** `requiredApprovals` of one entry: the last environment is production unless told otherwise, one approval as a four-eyes rule. */
function readRequiredApprovals(entry: Config, index: number, count: number): number {
  const requiredApprovals = entry.getOptionalNumber('requiredApprovals') ?? (index === count - 1 ? 1 : 0);
  if (!Number.isInteger(requiredApprovals) || requiredApprovals < 0 || requiredApprovals > 6) {
    throw new InputError(
      `luban.environments[${index}].requiredApprovals must be a whole number from 0 to 6 (GitHub asks for at most 6 approving reviews)`,
    );
  }
  return requiredApprovals;
}

/**
 * Reads `luban.environments`, in promotion order, failing at startup with a
 * message that names the bad entry rather than later, at first use.
 * @public
 */
export function readLubanEnvironments(config: Config): LubanEnvironment[] {
  const entries = config.getOptionalConfigArray('luban.environments');
  if (!entries) {
    return DEFAULT_ENVIRONMENTS.map(env => structuredClone(env));
  }
  if (entries.length === 0) {
    throw new InputError('luban.environments must list at least one environment');
  }
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const name = entry.getString('name');
    const problem = findNameProblem('environment', name);
    if (problem) {
      throw new InputError(`luban.environments[${index}].name: ${problem}`);
    }
    if (seen.has(name)) {
      throw new InputError(`luban.environments[${index}].name: '${name}' is listed twice`);
    }
    seen.add(name);
    const namespacePattern = entry.getOptionalString('namespace') ?? '{env}-{project}';
    if (!namespacePattern.includes('{project}')) {
      throw new InputError(
        `luban.environments[${index}].namespace: '${namespacePattern}' must contain {project}, or every project would share one namespace`,
      );
    }
    const autoSync = entry.getOptionalBoolean('autoSync') ?? index === 0;
    const overlayPathPattern = entry.getOptionalString('overlayPath') ?? DEFAULT_OVERLAY_PATH_PATTERN;
    if (!overlayPathPattern.includes('{app}') || overlayPathPattern.split('/').includes('..') || overlayPathPattern.startsWith('/')) {
      throw new InputError(
        `luban.environments[${index}].overlayPath: '${overlayPathPattern}' must be a relative path inside the GitOps repository that contains {app}`,
      );
    }
    const environment: LubanEnvironment = {
      name,
      namespacePattern,
      autoSync,
      overlayPathPattern,
      requiredApprovals: readRequiredApprovals(entry, index, entries.length),
      ...(entry.getOptionalString('cluster') ? { cluster: entry.getString('cluster') } : {}),
    };
    if (index === 0) {
      if (entry.has('promotesFrom') || entry.has('gates') || entry.has('autoPromote')) {
        throw new InputError(
          `luban.environments[0] ('${name}') is the first environment: nothing promotes into it, so it takes no promotesFrom, gates or autoPromote`,
        );
      }
      return environment;
    }
    const promotesFrom = entry.getOptionalString('promotesFrom') ?? [...seen][index - 1];
    if (!seen.has(promotesFrom) || promotesFrom === name) {
      throw new InputError(
        `luban.environments[${index}].promotesFrom: '${promotesFrom}' must name an environment listed before '${name}'`,
      );
    }
    const gates = entry.getOptionalConfig('gates');
    const blockSeverity = (gates?.getOptionalString('blockSeverity') ?? DEFAULT_GATES.blockSeverity).toUpperCase();
    if (!SEVERITIES.includes(blockSeverity as LubanGates['blockSeverity'])) {
      throw new InputError(
        `luban.environments[${index}].gates.blockSeverity: '${blockSeverity}' must be one of ${SEVERITIES.join(', ')}`,
      );
    }
    const minSoakMinutes = gates?.getOptionalNumber('minSoakMinutes') ?? DEFAULT_GATES.minSoakMinutes;
    if (!(minSoakMinutes >= 0)) {
      throw new InputError(`luban.environments[${index}].gates.minSoakMinutes must be zero or more`);
    }
    const autoPromote = readAutoPromote(entry, index);
    return {
      ...environment,
      promotesFrom,
      ...(autoPromote ? { autoPromote } : {}),
      gates: {
        requireSynced: gates?.getOptionalBoolean('requireSynced') ?? DEFAULT_GATES.requireSynced,
        requireHealthy: gates?.getOptionalBoolean('requireHealthy') ?? DEFAULT_GATES.requireHealthy,
        requireBuildSucceeded: gates?.getOptionalBoolean('requireBuildSucceeded') ?? DEFAULT_GATES.requireBuildSucceeded,
        blockSeverity: blockSeverity as LubanGates['blockSeverity'],
        minSoakMinutes,
      },
    };
  });
}

/**
 * The approvals the GitOps branch requires: it holds every environment's
 * overlay, so a branch rule can only ask the most any environment asks.
 * @public
 */
export function requiredApprovalsOfBranch(environments: ReadonlyArray<LubanEnvironment>): number {
  return Math.max(0, ...environments.map(env => env.requiredApprovals ?? 0));
}

/**
 * How long luban waits for one upstream request (`luban.requestTimeoutSeconds`, default 30 s).
 * @public
 */
export function readRequestTimeoutMs(config: Config): number {
  return (config.getOptionalNumber('luban.requestTimeoutSeconds') ?? 30) * 1000;
}

/**
 * How long an answer of a repository a webhook watches is used without
 * asking its host again (`luban.gitops.maxStaleness`, a duration, default
 * 60 s; zero asks on every read). An InputError names a bad value.
 * @public
 */
export function readMaxStalenessMs(config: Config): number {
  if (!config.has('luban.gitops.maxStaleness')) return DEFAULT_MAX_STALENESS_MS;
  // A plain 0 (what the docs offer for "ask on every view") is no duration to readDurationFromConfig.
  if (config.getOptional('luban.gitops.maxStaleness') === 0) return 0;
  const ms = durationToMilliseconds(readDurationFromConfig(config, { key: 'luban.gitops.maxStaleness' }));
  if (!(ms >= 0)) throw new InputError('luban.gitops.maxStaleness must be a duration of zero or more');
  return ms;
}
