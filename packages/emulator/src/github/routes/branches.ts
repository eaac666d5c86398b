import { GitHubError, notFound } from '../errors';
import { type BranchProtection, type RepoRecord } from '../model';
import type { ApiRequest, Route } from '../router';
import type { GitHubState } from '../state';
import { protection } from '../views';
import { commitJson } from './commits';
import {
  json,
  noContent,
  page,
  route,
  visibleRepo,
  writableRepo,
} from './common';

/** The short protection summary branch answers carry. */
function protectionSummary(rules: BranchProtection | undefined) {
  const contexts = rules?.requiredStatusChecks?.contexts ?? [];
  let enforcement = 'off';
  if (rules?.requiredStatusChecks)
    enforcement = rules.enforceAdmins ? 'everyone' : 'non_admins';
  return {
    enabled: Boolean(rules),
    required_status_checks: {
      enforcement_level: enforcement,
      contexts,
      checks: contexts.map(context => ({ context, app_id: null })),
    },
  };
}

/** A branch whose name may hold slashes, from `{branch+}`. */
async function existingBranch(
  state: GitHubState,
  repo: RepoRecord,
  branch: string,
): Promise<string> {
  const sha = await state.branchSha(repo, branch);
  if (!sha) throw notFound('Branch not found');
  return sha;
}

function nullableObject(
  req: ApiRequest,
  name: string,
): Record<string, unknown> | null {
  if (!(name in req.body))
    throw new GitHubError(
      422,
      `Invalid request.\n\n"${name}" wasn't supplied.`,
    );
  const value = req.body[name];
  if (value !== null && typeof value !== 'object') {
    throw new GitHubError(
      422,
      `Invalid request.\n\nFor 'properties/${name}', ${JSON.stringify(
        value,
      )} is not an object or null.`,
    );
  }
  return value as Record<string, unknown> | null;
}

/** The logins of `required_pull_request_reviews.bypass_pull_request_allowances.users` (teams and apps are not modelled). */
function bypassUsersOf(reviews: Record<string, unknown>): string[] {
  const allowances = reviews.bypass_pull_request_allowances as
    | { users?: unknown }
    | undefined;
  const users = Array.isArray(allowances?.users) ? allowances!.users : [];
  return users.filter((user): user is string => typeof user === 'string');
}

/** Reads `PUT .../protection`: four required (nullable) settings and optional extras. */
function protectionFrom(req: ApiRequest): BranchProtection {
  const checks = nullableObject(req, 'required_status_checks');
  if (!('enforce_admins' in req.body))
    throw new GitHubError(
      422,
      `Invalid request.\n\n"enforce_admins" wasn't supplied.`,
    );
  const reviews = nullableObject(req, 'required_pull_request_reviews');
  const restrictions = nullableObject(req, 'restrictions');
  const flag = (name: string) => req.body[name] === true;
  const checkContexts = Array.isArray(checks?.checks)
    ? (checks!.checks as Array<{ context: string }>).map(check => check.context)
    : [];
  return {
    requiredStatusChecks: checks
      ? {
          strict: checks.strict === true,
          contexts: [
            ...((checks.contexts as string[] | undefined) ?? []),
            ...checkContexts,
          ],
        }
      : null,
    enforceAdmins: req.body.enforce_admins === true,
    requiredPullRequestReviews: reviews
      ? {
          dismissStaleReviews: reviews.dismiss_stale_reviews === true,
          requireCodeOwnerReviews: reviews.require_code_owner_reviews === true,
          requiredApprovingReviewCount:
            typeof reviews.required_approving_review_count === 'number'
              ? reviews.required_approving_review_count
              : 1,
          requireLastPushApproval: reviews.require_last_push_approval === true,
          bypassUsers: bypassUsersOf(reviews),
        }
      : null,
    restrictions: restrictions
      ? {
          users: (restrictions.users as string[] | undefined) ?? [],
          teams: (restrictions.teams as string[] | undefined) ?? [],
          apps: (restrictions.apps as string[] | undefined) ?? [],
        }
      : null,
    requiredLinearHistory: flag('required_linear_history'),
    allowForcePushes: flag('allow_force_pushes'),
    allowDeletions: flag('allow_deletions'),
    blockCreations: flag('block_creations'),
    requiredConversationResolution: flag('required_conversation_resolution'),
    lockBranch: flag('lock_branch'),
    allowForkSyncing: flag('allow_fork_syncing'),
    requiredSignatures: false,
  };
}

/** Branches and their protection. */
export function branchRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/branches',
      'branches/branches#list-branches',
      async req => {
        const repo = visibleRepo(state, req);
        const onlyProtected = req.query.get('protected');
        const branches = [...(await state.branches(repo))]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .filter(
            ([name]) =>
              onlyProtected === null ||
              (onlyProtected === 'true') === repo.protections.has(name),
          )
          .map(([name, sha]) => ({
            name,
            commit: { sha, url: `${state.urls.repoApi(repo)}/commits/${sha}` },
            protected: repo.protections.has(name),
            protection: protectionSummary(repo.protections.get(name)),
            protection_url: `${state.urls.repoApi(
              repo,
            )}/branches/${encodeURIComponent(name)}/protection`,
          }));
        return page(req, branches);
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/branches/{branch+}/protection',
      'branches/branch-protection#get-branch-protection',
      async req => {
        const repo = visibleRepo(state, req);
        await existingBranch(state, repo, req.params.branch);
        const rules = repo.protections.get(req.params.branch);
        if (!rules) throw notFound('Branch not protected');
        return json(
          200,
          protection(repo, req.params.branch, rules, state.urls, login =>
            state.account(login),
          ),
        );
      },
      { requiresAuth: true },
    ),
    route(
      'PUT',
      '/repos/{owner}/{repo}/branches/{branch+}/protection',
      'branches/branch-protection#update-branch-protection',
      async req => {
        const repo = writableRepo(state, req);
        await existingBranch(state, repo, req.params.branch);
        const rules = protectionFrom(req);
        rules.requiredSignatures =
          repo.protections.get(req.params.branch)?.requiredSignatures ?? false;
        repo.protections.set(req.params.branch, rules);
        await state.protectionChanged(repo);
        return json(
          200,
          protection(repo, req.params.branch, rules, state.urls, login =>
            state.account(login),
          ),
        );
      },
    ),
    route(
      'DELETE',
      '/repos/{owner}/{repo}/branches/{branch+}/protection',
      'branches/branch-protection#delete-branch-protection',
      async req => {
        const repo = writableRepo(state, req);
        if (!repo.protections.delete(req.params.branch))
          throw notFound('Branch not protected');
        await state.protectionChanged(repo);
        return noContent();
      },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/branches/{branch+}/protection/required_signatures',
      'branches/branch-protection#create-commit-signature-protection',
      async req => {
        const repo = writableRepo(state, req);
        const rules = repo.protections.get(req.params.branch);
        if (!rules) throw notFound('Branch not protected');
        rules.requiredSignatures = true;
        const url = `${state.urls.repoApi(repo)}/branches/${encodeURIComponent(
          req.params.branch,
        )}/protection/required_signatures`;
        return json(200, { url, enabled: true });
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/branches/{branch+}',
      'branches/branches#get-a-branch',
      async req => {
        const repo = visibleRepo(state, req);
        const name = req.params.branch;
        const sha = await existingBranch(state, repo, name);
        const rules = repo.protections.get(name);
        return json(200, {
          name,
          commit: commitJson(
            state,
            repo,
            (await state.git.commitInfo(repo.path, sha))!,
          ),
          _links: {
            self: `${state.urls.repoApi(repo)}/branches/${encodeURIComponent(
              name,
            )}`,
            html: `${state.urls.repoWeb(repo)}/tree/${name}`,
          },
          protected: Boolean(rules),
          protection: protectionSummary(rules),
          protection_url: `${state.urls.repoApi(
            repo,
          )}/branches/${encodeURIComponent(name)}/protection`,
        });
      },
    ),
  ];
}
