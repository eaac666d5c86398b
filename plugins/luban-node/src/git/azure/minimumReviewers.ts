import type { GitPullRequest } from 'azure-devops-node-api/interfaces/GitInterfaces';
import type { BranchProtectionOptions, PullRequestReviews, WebhookResult } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { describeRepo, gitUpstreamError, normalizeBranch } from '../support';
import { API_VERSION, type AzureDevOpsClient, type Connection } from './client';
import { readRepository } from './repositories';

/** The REST resource location of policy configurations (`{project}/_apis/policy/configurations`). */
const POLICY_CONFIGURATIONS_LOCATION = 'dad91cbe-d183-45f8-9c6e-9c1164472121';

/** The policy type "Minimum number of reviewers". */
export const MINIMUM_REVIEWERS_POLICY_TYPE = 'fa4e907d-c16b-4a4c-9dfa-4906e5d171dd';

/** A policy configuration as far as luban reads and writes it. */
interface PolicyConfiguration {
  id?: number;
  isEnabled?: boolean;
  isBlocking?: boolean;
  isDeleted?: boolean;
  type?: { id?: string };
  settings?: {
    minimumApproverCount?: number;
    creatorVoteCounts?: boolean;
    scope?: Array<{ repositoryId?: string | null; refName?: string; matchKind?: string }>;
    [setting: string]: unknown;
  };
}

/** A raw REST call of the policy area, which azure-devops-node-api's Git client does not cover. */
async function policyRequest<T>(
  { git }: Connection,
  method: 'GET' | 'POST' | 'PUT',
  routeValues: Record<string, string>,
  query: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const { apiVersion, requestUrl } = await git.vsoClient.getVersioningData(API_VERSION, 'policy', POLICY_CONFIGURATIONS_LOCATION, routeValues, query);
  const options = git.createRequestOptions('application/json', apiVersion);
  let response;
  if (method === 'GET') response = await git.rest.get<T>(requestUrl!, options);
  else if (method === 'POST') response = await git.rest.create<T>(requestUrl!, body, options);
  else response = await git.rest.replace<T>(requestUrl!, body, options);
  return response.result as T;
}

/**
 * Requires `requiredApprovals` approving votes to complete a pull request
 * into a branch: a blocking "Minimum number of reviewers" policy scoped to
 * the repository and the branch, the author's vote not counting. Policies
 * bind completing pull requests; a push is refused too (TF402455) unless
 * the pushing identity has "Bypass policies when pushing", which an
 * administrator grants luban's identity (see the README's Approvals): luban
 * cannot grant itself a permission. Unchanged when a policy of that scope
 * asks as many or more; a smaller count is raised in place.
 */
export async function requireMinimumReviewers(
  client: AzureDevOpsClient,
  repo: RepoLocation,
  branch: string,
  options: BranchProtectionOptions,
): Promise<WebhookResult> {
  if (options.requiredApprovals <= 0) return 'unchanged';
  const { project } = client.names(repo);
  const refName = `refs/heads/${normalizeBranch(branch, repo)}`;
  const action = `require ${options.requiredApprovals} approval(s) on '${refName}' of ${describeRepo(repo)}`;
  const found = await readRepository(client, repo);
  // A dry run before the repository exists: its policy would be created with it.
  if (!found?.id && options.dryRun) return 'created';
  if (!found?.id) throw gitUpstreamError(404, `there is no repository ${describeRepo(repo)}`, { system: client.system(repo), action });
  const repositoryId = found.id;
  return client.call(repo, action, async connection => {
    const list = await policyRequest<{ value?: PolicyConfiguration[] }>(connection, 'GET', { project }, {
      repositoryId,
      refName,
      policyType: MINIMUM_REVIEWERS_POLICY_TYPE,
    });
    const existing = (list?.value ?? []).find(
      p =>
        !p.isDeleted &&
        p.type?.id?.toLowerCase() === MINIMUM_REVIEWERS_POLICY_TYPE &&
        (p.settings?.scope ?? []).some(
          s => s.repositoryId?.toLowerCase() === repositoryId.toLowerCase() && s.refName === refName && (s.matchKind ?? 'Exact') === 'Exact',
        ),
    );
    const count = existing?.settings?.minimumApproverCount ?? 0;
    if (existing?.isEnabled && existing.isBlocking && count >= options.requiredApprovals) return 'unchanged';
    if (options.dryRun) return existing ? 'updated' : 'created';
    const configuration = {
      isEnabled: true,
      isBlocking: true,
      type: { id: MINIMUM_REVIEWERS_POLICY_TYPE },
      settings: {
        ...(existing?.settings ?? {}),
        minimumApproverCount: Math.max(count, options.requiredApprovals),
        creatorVoteCounts: false,
        scope: [{ repositoryId, refName, matchKind: 'Exact' }],
      },
    };
    if (existing?.id !== undefined) {
      await policyRequest(connection, 'PUT', { project, configurationId: String(existing.id) }, {}, { ...configuration, id: existing.id });
      return 'updated';
    }
    await policyRequest(connection, 'POST', { project }, {}, configuration);
    return 'created';
  });
}

/** Azure DevOps votes: 10 approved, 5 approved with suggestions, 0 none, -5 waiting for the author, -10 rejected. */
export function reviewsOfVotes(pull: GitPullRequest): PullRequestReviews {
  const reviewers = (pull.reviewers ?? []).filter(r => !r.isContainer);
  const name = (r: (typeof reviewers)[number]) => r.displayName ?? r.uniqueName ?? r.id ?? 'unknown';
  return {
    approvedBy: reviewers.filter(r => (r.vote ?? 0) >= 5).map(name).sort(),
    changesRequestedBy: reviewers.filter(r => (r.vote ?? 0) < 0).map(name).sort(),
  };
}
