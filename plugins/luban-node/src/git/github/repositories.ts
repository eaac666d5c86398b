import { NotAllowedError } from '@backstage/errors';
import type { Octokit } from '@octokit/rest';
import type { EnsuredRepository, EnsureRepositoryOptions } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { describeRepo, normalizeBranch } from '../support';
import { messageOf, statusOf, type GitHubClient } from './client';

/** The repository as GitHub has it; undefined when there is none. */
async function readRepository(client: GitHubClient, octokit: Octokit, repo: RepoLocation) {
  try {
    const { data } = await octokit.repos.get(client.names(repo));
    return { webUrl: data.html_url, cloneUrl: data.clone_url, defaultBranch: data.default_branch };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw client.fail(error, repo, `read repository ${describeRepo(repo)}`);
  }
}

async function initialCommit(client: GitHubClient, octokit: Octokit, repo: RepoLocation, branch: string, description?: string) {
  try {
    await octokit.repos.createOrUpdateFileContents({
      ...client.names(repo),
      path: 'README.md',
      branch,
      message: 'Initial commit',
      content: Buffer.from(`# ${repo.repo}\n${description ? `\n${description}\n` : ''}`).toString('base64'),
    });
  } catch (error) {
    throw client.fail(error, repo, `make the initial commit of ${describeRepo(repo)}`);
  }
}

/** Renames the default branch auto_init made to the one asked for. */
async function moveDefaultBranch(client: GitHubClient, octokit: Octokit, repo: RepoLocation, from: string, to: string) {
  const names = client.names(repo);
  const action = `make '${to}' the default branch of ${describeRepo(repo)}`;
  try {
    const { data: ref } = await octokit.git.getRef({ ...names, ref: `heads/${from}` });
    await octokit.git.createRef({ ...names, ref: `refs/heads/${to}`, sha: ref.object.sha });
    await octokit.repos.update({ ...names, default_branch: to });
    await octokit.git.deleteRef({ ...names, ref: `heads/${from}` });
  } catch (error) {
    throw client.fail(error, repo, action);
  }
}

/** Creates the repository in its organization, or for the configured user when it is that user's. */
async function createRepository(client: GitHubClient, octokit: Octokit, repo: RepoLocation, options: EnsureRepositoryOptions) {
  const names = client.names(repo);
  const settings = {
    name: names.repo,
    description: options.description,
    private: options.private ?? true,
    auto_init: true,
  };
  const { data: account } = await octokit.users.getByUsername({ username: names.owner });
  if (account.type === 'Organization') {
    return (await octokit.repos.createInOrg({ org: names.owner, ...settings })).data;
  }
  const { data: viewer } = await octokit.users.getAuthenticated();
  if (viewer.login.toLowerCase() !== names.owner.toLowerCase()) {
    throw new NotAllowedError(
      `${client.system(repo)} could not create repository ${describeRepo(repo)}: '${names.owner}' is a user, and the configured account (${viewer.login}) can only create repositories for itself`,
    );
  }
  return (await octokit.repos.createForAuthenticatedUser(settings)).data;
}

/** Creates a GitHub repository with an initial commit on its default branch, unless it exists. */
export async function ensureGitHubRepository(
  client: GitHubClient,
  getBranch: (branch: string) => Promise<string | undefined>,
  repo: RepoLocation,
  options: EnsureRepositoryOptions,
): Promise<EnsuredRepository> {
  const octokit = await client.octokit(repo);
  const existing = await readRepository(client, octokit, repo);
  if (existing) {
    if (!options.dryRun && !(await getBranch(existing.defaultBranch))) {
      // Created elsewhere without commits: give it the initial commit it lacks.
      await initialCommit(client, octokit, repo, existing.defaultBranch, options.description);
      return { ...existing, result: 'created' };
    }
    return { ...existing, result: 'unchanged' };
  }
  const defaultBranch = normalizeBranch(options.defaultBranch ?? 'main', repo);
  if (options.dryRun) {
    return { result: 'created', webUrl: repo.webUrl, cloneUrl: repo.cloneUrl, defaultBranch };
  }
  let created: { html_url: string; clone_url: string; default_branch: string };
  try {
    created = await createRepository(client, octokit, repo, options);
  } catch (error) {
    if (error instanceof NotAllowedError) throw error;
    // Created meanwhile (a concurrent or retried call): report what is there.
    if (statusOf(error) === 422 && /already exists/i.test(messageOf(error) ?? '')) {
      const raced = await readRepository(client, octokit, repo);
      if (raced) return { ...raced, result: 'unchanged' };
    }
    throw client.fail(error, repo, `create repository ${describeRepo(repo)}`);
  }
  if (created.default_branch !== defaultBranch) {
    await moveDefaultBranch(client, octokit, repo, created.default_branch, defaultBranch);
  }
  return { result: 'created', webUrl: created.html_url, cloneUrl: created.clone_url, defaultBranch };
}
