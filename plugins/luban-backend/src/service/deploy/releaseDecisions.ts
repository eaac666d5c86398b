import type { LubanEnvironment, LubanEnvironmentState, LubanPromotionState } from '@luban-backstage/plugin-luban-common';

/** What luban does by itself to one app, decided from what runs where. */
export type AutomaticChange =
  | {
      kind: 'promote';
      from: string;
      to: string;
      digest: string;
      /** Commit rather than open a pull request (`autoPromote: commit`). */
      commit: boolean;
      /** `autoPromote` of the environment, or a release candidate with `luban.releases.promoteTagsTo`. */
      why: 'auto-promote' | 'release-tag';
      releaseTag?: string;
    }
  | { kind: 'rollback'; env: string; digest: string; deployedAt: string };

/** The inputs of {@link decideAutomaticChanges}. */
export interface AutomationInputs {
  environments: LubanEnvironment[];
  state: LubanPromotionState;
  /** The release tag of the Build of a digest, when it is a release candidate. */
  releaseTagOf(digest: string): string | undefined;
  promoteTagsTo?: string;
  /** 0: no rollback proposals. */
  rollbackProposalWindowMs: number;
  now: Date;
}

/** Whether an environment runs its overlay's digest, Synced and Healthy: what a chain promotes from. */
function runsHealthy(source: LubanEnvironmentState | undefined): source is LubanEnvironmentState & { digest: string } {
  return Boolean(
    source?.digest && source.argoCd?.syncStatus === 'Synced' && source.argoCd.healthStatus === 'Healthy' && source.rollout === 'deployed',
  );
}

/**
 * What luban does by itself now, by the Delivery view's own reading of each
 * environment (so that what it does is what a user sees):
 * - a chain: an environment promoted into with `autoPromote`, or the one
 *   `promoteTagsTo` names for a release candidate, is promoted into once its
 *   source runs another digest, Synced, Healthy and deployed (the gates are
 *   evaluated by the promotion itself, as for a user);
 * - a rollback proposal: an environment promoted into that is Degraded within
 *   the window after its overlay last changed, with no rollback pull request open.
 * The caller makes each at most once per digest.
 */
export function decideAutomaticChanges(inputs: AutomationInputs): AutomaticChange[] {
  const { environments, state, now } = inputs;
  const stateOf = (name: string) => state.environments.find(e => e.name === name);
  const changes: AutomaticChange[] = [];
  for (const env of environments) {
    if (!env.promotesFrom) continue;
    const target = stateOf(env.name);
    const source = stateOf(env.promotesFrom);
    if (runsHealthy(source) && source.digest !== target?.digest) {
      const releaseTag = inputs.releaseTagOf(source.digest);
      const move = { kind: 'promote' as const, from: env.promotesFrom, to: env.name, digest: source.digest };
      if (env.autoPromote) changes.push({ ...move, commit: env.autoPromote === 'commit', why: 'auto-promote', releaseTag });
      else if (releaseTag && inputs.promoteTagsTo === env.name) changes.push({ ...move, commit: false, why: 'release-tag', releaseTag });
    }
    const deployedAt = target?.deployedAt ? Date.parse(target.deployedAt) : NaN;
    if (
      target?.digest &&
      target.argoCd?.healthStatus === 'Degraded' &&
      target.pullRequest?.kind !== 'rollback' &&
      inputs.rollbackProposalWindowMs > 0 &&
      now.getTime() - deployedAt <= inputs.rollbackProposalWindowMs
    ) {
      changes.push({ kind: 'rollback', env: env.name, digest: target.digest, deployedAt: target.deployedAt! });
    }
  }
  return changes;
}
