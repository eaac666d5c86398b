import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BranchProtection, RepoRecord } from './model';

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
 * Why direct updates of a branch are refused, or an empty list. The token's
 * user administers every repository, and administrators bypass protection
 * unless `enforce_admins` is on, so only enforced rules count.
 */
export function directUpdateViolations(
  rules: BranchProtection | undefined,
): string[] {
  if (!rules?.enforceAdmins) return [];
  const reasons: string[] = [];
  const reviews = rules.requiredPullRequestReviews;
  if (reviews) {
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
