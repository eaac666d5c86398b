import { fromAzureDevOpsPullRequest, fromGitHubPullRequest } from './pullRequestEvents';

const SHA = 'a'.repeat(40);

/** GitHub's `pull_request` payload, as docs.github.com/webhooks/webhook-events-and-payloads#pull_request documents its fields. */
const github = (action: string, headRepo = 'payments/ledger-api') => ({
  action,
  number: 7,
  pull_request: { number: 7, head: { sha: SHA, ref: 'feature', repo: { full_name: headRepo } } },
  repository: { full_name: 'payments/ledger-api', html_url: 'https://github.example.com/payments/ledger-api' },
});

/** An Azure DevOps pull-request service hook event (learn.microsoft.com/azure/devops/service-hooks/events#git.pullrequest.created). */
const azure = (eventType: string, status: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  resource: {
    pullRequestId: 3,
    status,
    lastMergeSourceCommit: { commitId: SHA },
    repository: { remoteUrl: 'https://org@dev.azure.com/org/payments/_git/ledger-api' },
    ...extra,
  },
});

describe('pull-request deliveries', () => {
  it.each([
    ['opened', 'opened'],
    ['reopened', 'opened'],
    ['synchronize', 'updated'],
    ['closed', 'closed'],
    ['edited', undefined],
    ['labeled', undefined],
  ])('reads GitHub action %s as %s', (action, expected) => {
    expect(fromGitHubPullRequest('pull_request', github(action))?.action).toBe(expected);
  });

  it('reads the repository, number and head of a GitHub pull request', () => {
    expect(fromGitHubPullRequest('pull_request', github('opened'))).toEqual({
      provider: 'github',
      repositoryUrl: 'https://github.example.com/payments/ledger-api',
      number: 7,
      action: 'opened',
      headSha: SHA,
    });
  });

  it('leaves out a pull request from a fork, and other events', () => {
    expect(fromGitHubPullRequest('pull_request', github('opened', 'mallory/ledger-api'))).toBeUndefined();
    // GitHub sends `head.repo: null` once a fork is deleted: not built either.
    const gone = github('opened');
    expect(fromGitHubPullRequest('pull_request', { ...gone, pull_request: { ...gone.pull_request, head: { ...gone.pull_request.head, repo: null } } })).toBeUndefined();
    expect(fromGitHubPullRequest('push', github('opened'))).toBeUndefined();
    expect(fromGitHubPullRequest('pull_request', { ...github('opened'), number: -1, pull_request: { number: -1 } })).toBeUndefined();
  });

  it.each([
    ['git.pullrequest.created', 'active', 'opened'],
    ['git.pullrequest.updated', 'active', 'updated'],
    ['git.pullrequest.updated', 'abandoned', 'closed'],
    ['git.pullrequest.updated', 'completed', 'closed'],
    ['git.pullrequest.merged', 'completed', 'closed'],
    // "Merge attempted" on an active pull request: nothing closed yet.
    ['git.pullrequest.merged', 'active', undefined],
    ['git.push', 'active', undefined],
  ])('reads Azure DevOps %s with status %s as %s', (eventType, status, expected) => {
    expect(fromAzureDevOpsPullRequest(azure(eventType, status))?.action).toBe(expected);
  });

  it("reads an Azure DevOps repository from its remoteUrl without the organization's user name, and leaves out forks", () => {
    expect(fromAzureDevOpsPullRequest(azure('git.pullrequest.created', 'active'))).toEqual({
      provider: 'azure',
      repositoryUrl: 'https://dev.azure.com/org/payments/_git/ledger-api',
      number: 3,
      action: 'opened',
      headSha: SHA,
    });
    expect(fromAzureDevOpsPullRequest(azure('git.pullrequest.created', 'active', { forkSource: { name: 'refs/heads/x' } }))).toBeUndefined();
  });
});
