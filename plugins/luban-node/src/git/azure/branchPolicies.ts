import { BranchProtectedError } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { API_VERSION, statusOf, typeKeyOf, type AzureDevOpsClient } from './client';

/** The REST resource location of policy configurations (`{project}/_apis/policy/configurations`). */
const POLICY_CONFIGURATIONS_LOCATION = 'dad91cbe-d183-45f8-9c6e-9c1164472121';

/** What the Git server throws for a ref update a branch policy refuses (TF402455), answered 403. */
const REJECTED_BY_POLICY = 'GitRefUpdateRejectedByPolicyException';

/** The policy configurations as far as luban reads them. */
interface PolicyConfiguration {
  isEnabled?: boolean;
  isBlocking?: boolean;
  isDeleted?: boolean;
  type?: { displayName?: string };
  settings?: { scope?: Array<{ repositoryId?: string | null; refName?: string; matchKind?: string }> };
}

/** Whether a failed push was refused because the branch takes pull requests only. */
export function isRejectedByPolicy(error: unknown): boolean {
  return statusOf(error) === 403 && typeKeyOf(error) === REJECTED_BY_POLICY;
}

function covers(policy: PolicyConfiguration, repositoryId: string, refName: string): boolean {
  return (policy.settings?.scope ?? []).some(scope => {
    if (scope.repositoryId && scope.repositoryId.toLowerCase() !== repositoryId.toLowerCase()) return false;
    if (!scope.refName) return true;
    return scope.matchKind?.toLowerCase() === 'prefix' ? refName.startsWith(scope.refName) : refName === scope.refName;
  });
}

/**
 * The names of the required policies on a branch ("Minimum number of
 * reviewers", "Build"…), for the error to say what the branch asks for.
 * Listing policies needs more than writing code, so any failure to read
 * them gives an empty list rather than hiding the refusal itself.
 */
async function requiredPolicyNames(client: AzureDevOpsClient, repo: RepoLocation, branch: string): Promise<string[]> {
  try {
    const { project, repository } = client.names(repo);
    const { git } = await client.connection(repo, `read the branch policies of ${branch}`);
    const { id } = await git.getRepository(repository, project);
    const { apiVersion, requestUrl } = await git.vsoClient.getVersioningData(API_VERSION, 'policy', POLICY_CONFIGURATIONS_LOCATION, {
      project,
    });
    const response = await git.http.get(requestUrl!, { Accept: git.createAcceptHeader('application/json', apiVersion) });
    const text = await response.readBody();
    if (response.message.statusCode !== 200 || !id) return [];
    const policies = (JSON.parse(text).value ?? []) as PolicyConfiguration[];
    const names = policies
      .filter(p => p.isEnabled && p.isBlocking && !p.isDeleted && covers(p, id, `refs/heads/${branch}`))
      .map(p => p.type?.displayName ?? 'unnamed policy');
    return [...new Set(names)];
  } catch {
    return [];
  }
}

/**
 * The error of a push that a branch policy refused: a
 * {@link BranchProtectedError} naming the branch and its required
 * policies, so that callers propose the change through a pull request.
 */
export async function branchProtected(
  client: AzureDevOpsClient,
  repo: RepoLocation,
  action: string,
  branch: string,
  error: unknown,
): Promise<BranchProtectedError> {
  const names = await requiredPolicyNames(client, repo, branch);
  const policies = names.length ? `required branch ${names.length === 1 ? 'policy' : 'policies'}: ${names.join(', ')}` : 'a required branch policy';
  const reason = (error as { result?: { message?: string } }).result?.message ?? 'TF402455';
  return new BranchProtectedError(
    `${client.system(repo)} could not ${action}: branch '${branch}' takes changes through pull requests only (${policies}; ${reason}); open a pull request instead`,
    branch,
  );
}
