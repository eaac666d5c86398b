import type { GitProvider, RepoLocation } from '@luban-backstage/plugin-luban-node';
import { addMissingFiles, type Proposal } from '../provisioning/gitopsWrites';
import { step, type StepContext } from './step';

/** What a write to the GitOps repository left for the user: the commit's and the pull request's pages. */
export interface GitopsWriteLinks {
  commitUrl?: string;
  pullRequestUrl?: string;
}

/**
 * The first step of the actions that write a GitOps repository: the
 * repository, created when missing with `branch` as its default branch.
 * Says whether it is (or in a dry run would be) created now.
 */
export async function ensureGitopsRepository(
  ctx: StepContext,
  provider: GitProvider,
  repo: RepoLocation,
  options: { branch: string; project: string },
): Promise<{ created: boolean; results: Record<string, string> }> {
  const outcome = await step(ctx, `luban.gitops.repository.${repo.webUrl}`, async dryRun => {
    const { result } = await provider.ensureRepository(repo, {
      ...(dryRun ? { dryRun } : {}),
      defaultBranch: options.branch,
      description: `GitOps of the luban project ${options.project}`,
    });
    return { results: { [`repository ${repo.webUrl}`]: result }, created: result === 'created' };
  });
  return { created: Boolean(outcome.created), results: outcome.results };
}

/**
 * Adds the files missing on `branch` in one commit (a pull request when the
 * branch is protected), keeping those that exist; what happened to each
 * file: `kept`, `created` or `proposed`. In a dry run it reads which exist.
 */
export async function addGitopsFiles(
  ctx: StepContext,
  provider: GitProvider,
  repo: RepoLocation,
  options: { key: string; branch: string; files: Record<string, string>; message: string; proposal: Proposal; repositoryCreated: boolean },
): Promise<GitopsWriteLinks & { results: Record<string, string> }> {
  const paths = Object.keys(options.files);
  return step(ctx, options.key, async dryRun => {
    const results: Record<string, string> = {};
    if (dryRun) {
      for (const path of paths) {
        const existing = options.repositoryCreated ? undefined : await provider.readFile(repo, path, options.branch);
        results[path] = existing ? 'kept' : 'created';
      }
      return { results };
    }
    const written = await addMissingFiles(provider, repo, options);
    for (const path of paths) {
      results[path] = 'kept';
      if (written.paths.includes(path)) results[path] = written.pullRequestUrl ? 'proposed' : 'created';
    }
    const commitUrl = written.commitSha ? provider.webUrlOfCommit(repo, written.commitSha) : undefined;
    return { results, commitUrl, pullRequestUrl: written.pullRequestUrl };
  });
}

/**
 * The last step of onboarding a GitOps repository: pull requests into its
 * branch need `requiredApprovals` approving reviews (the most any
 * environment asks: one branch holds every overlay), while luban's own
 * identity may still commit to it (the auto-deployer). Nothing when no
 * environment asks for an approval; a stricter rule is kept.
 */
export async function protectGitopsBranch(
  ctx: StepContext,
  provider: GitProvider,
  repo: RepoLocation,
  options: { branch: string; requiredApprovals: number; repositoryCreated: boolean },
): Promise<Record<string, string>> {
  if (options.requiredApprovals <= 0) return {};
  const { requiredApprovals } = options;
  const what = `branch ${options.branch} requires ${options.requiredApprovals} approval${options.requiredApprovals === 1 ? '' : 's'}`;
  const { results } = await step(ctx, `luban.gitops.protection.${repo.webUrl}.${options.branch}`, async dryRun => ({
    // A dry run of a repository that does not exist yet has nothing to read.
    results: {
      [what]: dryRun && options.repositoryCreated ? 'created' : await provider.protectBranch(repo, options.branch, { requiredApprovals, dryRun }),
    },
  }));
  return results;
}

/** Outputs the links of a GitOps write, those there are. */
export function outputLinks(ctx: { output(name: string, value: string): void }, links: GitopsWriteLinks) {
  if (links.commitUrl) ctx.output('commitUrl', links.commitUrl);
  if (links.pullRequestUrl) ctx.output('pullRequestUrl', links.pullRequestUrl);
}

/** The description of a pull request that proposes files on a protected branch. */
export function proposalBody(branch: string, what: string) {
  return (paths: string[]) =>
    `Branch \`${branch}\` is protected, so luban proposes ${what} here:\n\n${paths.map(path => `- \`${path}\``).join('\n')}`;
}
