import { NotFoundError } from '@backstage/errors';
import { ItemContentType, VersionControlChangeType, type GitRepository } from 'azure-devops-node-api/interfaces/GitInterfaces';
import type { EnsuredRepository, EnsureRepositoryOptions } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { describeRepo, gitUpstreamError, normalizeBranch } from '../support';
import { statusOf, type AzureDevOpsClient } from './client';

/** The object id of "no commit", as the old value of a branch that does not exist yet. */
export const ZERO_SHA = '0'.repeat(40);

/** The repository as Azure DevOps has it; undefined when there is none. */
export async function readRepository(client: AzureDevOpsClient, repo: RepoLocation): Promise<GitRepository | undefined> {
  const { project, repository } = client.names(repo);
  // getRepository resolves a 404 to null.
  const found = await client.call(repo, `read repository ${describeRepo(repo)}`, ({ git }) => git.getRepository(repository, project));
  return found ?? undefined;
}

function ensured(repo: RepoLocation, found: GitRepository, result: EnsuredRepository['result']): EnsuredRepository {
  return {
    result,
    webUrl: found.webUrl ?? repo.webUrl,
    // remoteUrl carries an `organization@` user name; clones take credentials from elsewhere.
    cloneUrl: found.remoteUrl ? found.remoteUrl.replace(/\/\/[^/@]+@/, '//') : repo.cloneUrl,
    defaultBranch: (found.defaultBranch ?? '').replace(/^refs\/heads\//, ''),
  };
}

/** Creates the repository in its project; undefined when it was created meanwhile and is initialized already. */
async function createRepository(client: AzureDevOpsClient, repo: RepoLocation, action: string) {
  const { project, repository } = client.names(repo);
  const teamProject = await client.call(repo, action, async ({ core }) => (await core()).getProject(project));
  if (!teamProject?.id) {
    throw new NotFoundError(
      `${client.system(repo)} could not ${action}: there is no project '${project}' in organization '${repo.organization}'. Create the project first`,
    );
  }
  const connection = await client.connection(repo, action);
  try {
    return await connection.git.createRepository({ name: repository, project: { id: teamProject.id } }, project);
  } catch (error) {
    // Created meanwhile (a concurrent or retried call).
    if (statusOf(error) !== 409) throw client.fail(error, repo, action);
    return readRepository(client, repo);
  }
}

/** The initial commit, which creates the default branch of a new (or empty) repository. */
async function initialCommit(client: AzureDevOpsClient, repo: RepoLocation, action: string, branch: string, description?: string) {
  const { project, repository } = client.names(repo);
  const readme = `# ${repository}\n${description ? `\n${description}\n` : ''}`;
  const connection = await client.connection(repo, action);
  try {
    await connection.git.createPush(
      {
        refUpdates: [{ name: `refs/heads/${branch}`, oldObjectId: ZERO_SHA }],
        commits: [
          {
            comment: 'Initial commit',
            changes: [
              {
                changeType: VersionControlChangeType.Add,
                item: { path: '/README.md' },
                newContent: { content: readme, contentType: ItemContentType.RawText },
              },
            ],
          },
        ],
      },
      repository,
      project,
    );
  } catch (error) {
    // 409: initialized meanwhile by someone else.
    if (statusOf(error) !== 409) throw client.fail(error, repo, `make the initial commit of ${describeRepo(repo)}`);
  }
}

/** Creates an Azure DevOps repository with an initial commit on its default branch, unless it exists. */
export async function ensureAzureRepository(
  client: AzureDevOpsClient,
  repo: RepoLocation,
  options: EnsureRepositoryOptions,
): Promise<EnsuredRepository> {
  const { project, repository } = client.names(repo);
  const defaultBranch = normalizeBranch(options.defaultBranch ?? 'main', repo);
  const action = `create repository ${describeRepo(repo)}`;
  let found = await readRepository(client, repo);
  if (found?.defaultBranch) return ensured(repo, found, 'unchanged');
  if (options.dryRun) {
    return found
      ? { ...ensured(repo, found, 'created'), defaultBranch }
      : { result: 'created', webUrl: repo.webUrl, cloneUrl: repo.cloneUrl, defaultBranch };
  }
  if (!found) {
    found = await createRepository(client, repo, action);
    if (found?.defaultBranch) return ensured(repo, found, 'unchanged');
  }
  await initialCommit(client, repo, action, defaultBranch, options.description);
  found = (await readRepository(client, repo)) ?? found;
  if (!found) throw gitUpstreamError(404, 'the repository is gone after its creation', { system: client.system(repo), action });
  if (!found.defaultBranch) {
    found = await client.call(repo, `set the default branch of ${describeRepo(repo)}`, ({ git }) =>
      git.updateRepository({ defaultBranch: `refs/heads/${defaultBranch}` }, repository, project),
    );
  }
  return ensured(repo, found, 'created');
}
