import { promotionBranchName } from '@luban-backstage/plugin-luban-common';

/** The prefix of every branch luban proposes a change of an environment from. */
export const CHANGE_BRANCH_PREFIX = 'luban/';

/** What a pull request of luban's changes: a promotion or a rollback. */
export type ChangeKind = 'promote' | 'rollback';

/** A change branch, read back from its name. */
export interface ChangeBranch {
  kind: ChangeKind;
  app: string;
  env: string;
  /** The first 12 hex digits of the digest it deploys. */
  shortDigest: string;
}

/**
 * The branch of a change: one per app, environment and digest, so that
 * identical requests — retried, concurrent, or on other replicas — meet on
 * one branch and one pull request; a rollback has its own prefix, so its
 * pull request says it is one and never joins a promotion of that digest.
 */
export function changeBranchName(kind: ChangeKind, app: string, env: string, digest: string): string {
  const promotion = promotionBranchName(app, env, digest);
  return kind === 'promote' ? promotion : promotion.replace(/^luban\/promote\//, 'luban/rollback/');
}

const CHANGE_BRANCH = /^luban\/(promote|rollback)\/([^/]+)\/([^/]+)\/([0-9a-f]{12})$/;

/** The app, environment and digest of a change branch; undefined for any other branch. */
export function parseChangeBranch(branch: string): ChangeBranch | undefined {
  const match = CHANGE_BRANCH.exec(branch);
  if (!match) return undefined;
  return { kind: match[1] as ChangeKind, app: match[2], env: match[3], shortDigest: match[4] };
}
