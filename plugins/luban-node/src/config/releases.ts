import { readDurationFromConfig, type Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { LubanEnvironment } from '@luban-backstage/plugin-luban-common';

/** Milliseconds of each unit of a Backstage HumanDuration (a month is 30 days, a year 365). */
const UNIT_MS: Record<string, number> = {
  years: 365 * 86_400_000,
  months: 30 * 86_400_000,
  weeks: 7 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
  milliseconds: 1,
};

/**
 * What luban does by itself around releases (`luban.releases`).
 * @public
 */
export interface LubanReleasesConfig {
  /**
   * `luban.releases.promoteTagsTo`: the environment a release candidate (a
   * build of a pushed version tag) is promoted into by a pull request once it
   * runs in that environment's source and the gates pass.
   */
  promoteTagsTo?: string;
  /**
   * `luban.releases.rollbackProposalWindow` in milliseconds (default 30
   * minutes; 0 turns proposals off): an environment that turns Degraded this
   * soon after a promotion changed it gets a rollback pull request.
   */
  rollbackProposalWindowMs: number;
}

/**
 * `autoPromote` of one environment entry: `true` or `pr` opens the promotion
 * pull request, `commit` commits (a pull request where the branch is protected).
 */
export function readAutoPromote(entry: Config, index: number): LubanEnvironment['autoPromote'] {
  if (!entry.has('autoPromote')) return undefined;
  const value = entry.getOptional<unknown>('autoPromote');
  if (value === false) return undefined;
  if (value === true || value === 'pr' || value === 'pull-request') return 'pull-request';
  if (value === 'commit') return 'commit';
  throw new InputError(`luban.environments[${index}].autoPromote must be true, false, 'pr' or 'commit'; got '${String(value)}'`);
}

/**
 * Reads `luban.releases`, checked against the environments.
 * @public
 */
export function readLubanReleases(config: Config, environments: ReadonlyArray<LubanEnvironment>): LubanReleasesConfig {
  const promoteTagsTo = config.getOptionalString('luban.releases.promoteTagsTo');
  if (promoteTagsTo !== undefined && !environments.some(env => env.name === promoteTagsTo && env.promotesFrom)) {
    throw new InputError(
      `luban.releases.promoteTagsTo: '${promoteTagsTo}' must name an environment that is promoted into (${environments.filter(e => e.promotesFrom).map(e => e.name).join(', ') || 'none is'})`,
    );
  }
  const key = 'luban.releases.rollbackProposalWindow';
  let rollbackProposalWindowMs = 30 * 60_000;
  if (config.has(key)) {
    const duration = readDurationFromConfig(config, { key }) as Record<string, number | undefined>;
    rollbackProposalWindowMs = Object.entries(duration).reduce((sum, [unit, n]) => sum + (n ?? 0) * (UNIT_MS[unit] ?? NaN), 0);
    if (!(rollbackProposalWindowMs >= 0)) throw new InputError(`${key} must be a duration such as 30m or { minutes: 30 }`);
  }
  return { promoteTagsTo, rollbackProposalWindowMs };
}
