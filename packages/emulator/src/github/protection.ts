import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BOT_LOGIN,
  type Account,
  type BranchProtection,
  type RepoRecord,
} from './model';

/** Where the pre-receive hook finds the protected refs of a repository. */
const RULES_FILE = 'emulator-protected-refs';

/**
 * A pre-receive hook that rejects pushes the way GitHub's GH006 does. Each
 * line of the rules file is `<ref> <mode>`: `pr` rejects every update (changes
 * must come through a pull request), `noforce` rejects force pushes and deletion.
 */
const PRE_RECEIVE_HOOK = `#!/bin/sh
# Installed by the GitHub emulator: branch protection for pushes.
rules="\${GIT_DIR:-.}/${RULES_FILE}"
[ -f "$rules" ] || exit 0
zero=0000000000000000000000000000000000000000
failed=0
while read -r old new ref; do
  mode=""
  while read -r rule_ref rule_mode; do
    [ "$rule_ref" = "$ref" ] && mode="$rule_mode"
  done < "$rules"
  [ -n "$mode" ] || continue
  if [ "$mode" = pr ]; then
    reason="Changes must be made through a pull request."
  elif [ "$new" = "$zero" ]; then
    reason="Cannot delete this protected branch"
  elif [ "$old" != "$zero" ] && ! git merge-base --is-ancestor "$old" "$new"; then
    reason="Cannot force-push to this branch"
  else
    continue
  fi
  echo "error: GH006: Protected branch update failed for $ref." >&2
  echo "error: $reason" >&2
  failed=1
done
exit $failed
`;

/**
 * Who writes: the token's user (`luban-bot`) administers every repository;
 * other users (tokens a test asks for) have write access only.
 */
export interface Actor {
  login: string;
  admin: boolean;
}

/** The token's user, who administers every repository. */
export const BOT_ACTOR: Actor = { login: BOT_LOGIN, admin: true };

/** The actor of an authenticated request. */
export function actorOf(viewer: Account | undefined, bot: Account): Actor {
  return viewer
    ? { login: viewer.login, admin: viewer.id === bot.id }
    : BOT_ACTOR;
}

/** Whether a branch's rules bind an actor: administrators are exempt unless `enforce_admins` is on. */
export function rulesBind(
  rules: BranchProtection | undefined,
  actor: Actor,
): rules is BranchProtection {
  return Boolean(rules && (rules.enforceAdmins || !actor.admin));
}

/**
 * Whether an actor may skip the pull request requirement: pushing without a
 * pull request, and merging one without its approvals (GitHub's "Allow
 * specified actors to bypass required pull requests").
 */
export function bypassesPullRequests(
  rules: BranchProtection,
  actor: Actor,
): boolean {
  const users = rules.requiredPullRequestReviews?.bypassUsers ?? [];
  return users.some(user => user.toLowerCase() === actor.login.toLowerCase());
}

/**
 * Why direct updates of a branch by an actor (the token's user unless
 * told) are refused, or an empty list.
 */
export function directUpdateViolations(
  rules: BranchProtection | undefined,
  actor: Actor = BOT_ACTOR,
): string[] {
  if (!rulesBind(rules, actor)) return [];
  const reasons: string[] = [];
  const reviews = rules.requiredPullRequestReviews;
  if (reviews && !bypassesPullRequests(rules, actor)) {
    const count = reviews.requiredApprovingReviewCount;
    reasons.push(
      count === 1
        ? 'At least 1 approving review is required by reviewers with write access.'
        : `At least ${count} approving reviews are required by reviewers with write access.`,
    );
  }
  const contexts = rules.requiredStatusChecks?.contexts ?? [];
  if (contexts.length > 0) {
    reasons.push(
      `${contexts.length} of ${contexts.length} required status check${
        contexts.length === 1 ? ' is' : 's are'
      } expected.`,
    );
  }
  if (rules.lockBranch) reasons.push('Cannot change this locked branch.');
  return reasons;
}

/** Whether force pushes and deletion of a branch are refused. */
export function forcePushRefused(rules: BranchProtection | undefined): boolean {
  return Boolean(rules?.enforceAdmins && !rules.allowForcePushes);
}

/** Installs the protection hook into a bare repository. */
export async function installProtectionHook(
  repositoryDir: string,
): Promise<void> {
  await mkdir(join(repositoryDir, 'hooks'), { recursive: true });
  const hook = join(repositoryDir, 'hooks', 'pre-receive');
  await writeFile(hook, PRE_RECEIVE_HOOK);
  await chmod(hook, 0o755);
}

/** Rewrites the rules the protection hook enforces from the repository's protections. */
export async function writeProtectionRules(
  repositoryDir: string,
  repo: RepoRecord,
): Promise<void> {
  const lines: string[] = [];
  // Pushes over git are the token's user's: every accepted token is luban-bot's.
  for (const [branch, rules] of repo.protections) {
    if (directUpdateViolations(rules).length > 0)
      lines.push(`refs/heads/${branch} pr`);
    else if (forcePushRefused(rules))
      lines.push(`refs/heads/${branch} noforce`);
  }
  await writeFile(
    join(repositoryDir, RULES_FILE),
    lines.map(line => `${line}\n`).join(''),
  );
}
