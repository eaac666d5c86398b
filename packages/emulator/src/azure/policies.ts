/**
 * Branch policies as Azure DevOps models them: policy configurations of a
 * project (`{project}/_apis/policy/configurations`), each of a policy type,
 * enabled or not, blocking (required) or optional, scoped to repositories
 * and branches by `settings.scope[{repositoryId, refName, matchKind}]`.
 *
 * What they do to writes follows the Git server's
 * `Policy/DefaultGitRefUpdateValidator.ValidatePolicies`: an update of an
 * existing branch (a non-zero old object id) is checked against every pull
 * request policy that applies to it, and an enabled blocking one refuses it
 * with TF402455 ("A branch with required policies ... requires pull requests
 * for all changes", learn.microsoft.com/azure/devops/repos/git/branch-policies).
 * Creating a branch is not checked, and pull request completion (a system
 * context on the service) is not a push, so it goes through.
 */
import { ZERO_SHA } from '../git/GitRepositories';
import { invalidArgument, policyTypeNotFound } from './errors';
import type {
  OrganizationState,
  PolicyConfigurationState,
  PolicyScope,
  ProjectState,
  RepositoryState,
} from './model';

/** A policy type: pull request policies guard branches, push policies check content. */
interface PolicyType {
  displayName: string;
  description: string;
  kind: 'pullRequest' | 'push';
}

/** The built-in policy types every organization has (ids as `GET _apis/policy/types` lists them). */
export const POLICY_TYPES: Record<string, PolicyType> = {
  'fa4e907d-c16b-4a4c-9dfa-4906e5d171dd': {
    displayName: 'Minimum number of reviewers',
    description:
      'This policy will ensure that a minimum number of reviewers have approved a pull request before completion.',
    kind: 'pullRequest',
  },
  'fd2167ab-b0be-447a-8ec8-39368250530e': {
    displayName: 'Required reviewers',
    description:
      'This policy will ensure that required reviewers are added for modified files matching specified patterns.',
    kind: 'pullRequest',
  },
  '0609b952-1397-4640-95ec-e00a01b2c241': {
    displayName: 'Build',
    description:
      'This policy will require a successful build has been performed before updating protected refs.',
    kind: 'pullRequest',
  },
  '40e92b44-2fe1-4dd6-b3d8-74a9c21d0c6e': {
    displayName: 'Work item linking',
    description:
      'This policy encourages developers to link commits to work items.',
    kind: 'pullRequest',
  },
  'c6a1889d-b943-4856-b76f-9e46bb6b0df2': {
    displayName: 'Comment requirements',
    description: 'Check if the pull request has any active comments',
    kind: 'pullRequest',
  },
  'fa4e907d-c16b-4a4c-9dfa-4916e5d171ab': {
    displayName: 'Require a merge strategy',
    description:
      'This policy ensures that pull requests use a consistent merge strategy.',
    kind: 'pullRequest',
  },
  'cbdc66da-9728-4af8-aada-9a5a32e4a226': {
    displayName: 'Status',
    description:
      'This policy will require a successfull status to be posted before updating protected refs.',
    kind: 'pullRequest',
  },
  '2e26e725-8201-4edd-8bf5-978563c34a80': {
    displayName: 'File size restriction',
    description:
      'This policy will reject pushes to a repository for files which exceed the specified size.',
    kind: 'push',
  },
  '001a79cf-fda1-4c4e-9e7c-bac40ee5ead8': {
    displayName: 'Path Length restriction',
    description:
      'This policy will reject pushes to a repository for paths which exceed the specified length.',
    kind: 'push',
  },
  'db2b9b4c-180d-4529-9701-01541d19f36b': {
    displayName: 'Reserved names restriction',
    description:
      "This policy will reject pushes to a repository for names which aren't valid on all supported client OSes.",
    kind: 'push',
  },
  '7ed39669-655c-494e-b4a0-a08b4da0fcce': {
    displayName: 'Git repository settings',
    description: 'Git repository settings',
    kind: 'push',
  },
};

/** The minimum number of reviewers policy, the one the controls create. */
export const MINIMUM_REVIEWERS_POLICY = 'fa4e907d-c16b-4a4c-9dfa-4906e5d171dd';

const MATCH_KINDS: Record<string, PolicyScope['matchKind']> = {
  exact: 'Exact',
  prefix: 'Prefix',
  defaultbranch: 'DefaultBranch',
};

/** The scope entries of posted settings, validated as the service does (an array of objects). */
function scopeOf(settings: Record<string, unknown>): PolicyScope[] {
  const raw = settings.scope;
  if (raw === undefined) return [{ matchKind: 'Exact' }];
  if (!Array.isArray(raw))
    throw invalidArgument('The policy scope must be an array.', 'settings');
  return raw.map(entry => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const matchKind = MATCH_KINDS[String(e.matchKind ?? 'exact').toLowerCase()];
    if (!matchKind)
      throw invalidArgument(
        `The match kind '${String(e.matchKind)}' is not valid.`,
        'settings',
      );
    return {
      repositoryId: typeof e.repositoryId === 'string' ? e.repositoryId : null,
      ...(typeof e.refName === 'string' ? { refName: e.refName } : {}),
      matchKind,
    };
  });
}

/** What a configuration is created from: the body of `POST policy/configurations`. */
export interface PolicyConfigurationInput {
  type?: { id?: string };
  isEnabled?: boolean;
  isBlocking?: boolean;
  settings?: Record<string, unknown>;
}

/** Creates a policy configuration in a project. */
export function createPolicyConfiguration(
  organization: OrganizationState,
  project: ProjectState,
  input: PolicyConfigurationInput,
): PolicyConfigurationState {
  const typeId = String(input.type?.id ?? '').toLowerCase();
  if (!POLICY_TYPES[typeId]) throw policyTypeNotFound(typeId);
  const settings = input.settings ?? {};
  const policy: PolicyConfigurationState = {
    id: organization.nextPolicyId++,
    projectId: project.id,
    typeId,
    isEnabled: input.isEnabled !== false,
    isBlocking: input.isBlocking !== false,
    isDeleted: false,
    revision: 1,
    createdDate: new Date().toISOString(),
    settings,
    scope: scopeOf(settings),
  };
  organization.policies.set(policy.id, policy);
  return policy;
}

/**
 * Replaces a configuration's settings (`PUT policy/configurations/{id}`): the
 * service keeps its id and type, and counts a new revision.
 */
export function updatePolicyConfiguration(
  policy: PolicyConfigurationState,
  input: PolicyConfigurationInput,
): PolicyConfigurationState {
  const typeId = String(input.type?.id ?? policy.typeId).toLowerCase();
  if (typeId !== policy.typeId) throw policyTypeNotFound(typeId);
  const settings = input.settings ?? {};
  policy.isEnabled = input.isEnabled !== false;
  policy.isBlocking = input.isBlocking !== false;
  policy.settings = settings;
  policy.scope = scopeOf(settings);
  policy.revision += 1;
  return policy;
}

/** Whether a scope entry covers a branch of a repository. */
function covers(
  scope: PolicyScope,
  repository: RepositoryState,
  refName: string,
): boolean {
  if (scope.repositoryId && scope.repositoryId.toLowerCase() !== repository.id)
    return false;
  if (scope.matchKind === 'DefaultBranch')
    return refName === repository.defaultBranch;
  if (scope.refName === undefined) return true;
  return scope.matchKind === 'Prefix'
    ? refName.startsWith(scope.refName)
    : refName === scope.refName;
}

/** Whether a policy is an enabled, blocking (required) pull request policy of the repository's project. */
function isRequiredPullRequestPolicy(
  p: PolicyConfigurationState,
  repository: RepositoryState,
): boolean {
  return (
    p.projectId === repository.projectId &&
    p.isEnabled &&
    p.isBlocking &&
    !p.isDeleted &&
    POLICY_TYPES[p.typeId].kind === 'pullRequest'
  );
}

/** The enabled pull request policies of a branch that are blocking (required). */
export function requiredBranchPolicies(
  organization: OrganizationState,
  repository: RepositoryState,
  refName: string,
): PolicyConfigurationState[] {
  return [...organization.policies.values()].filter(
    p =>
      isRequiredPullRequestPolicy(p, repository) &&
      p.scope.some(s => covers(s, repository, refName)),
  );
}

/**
 * Whether a direct ref update is refused by policy: only updates of an
 * existing ref are checked (`!refUpdate.OldObjectId.IsEmpty`), so creating
 * a branch a policy covers is allowed.
 */
export function refusedByPolicy(
  organization: OrganizationState,
  repository: RepositoryState,
  refName: string,
  oldObjectId: string,
): boolean {
  if (oldObjectId.toLowerCase() === ZERO_SHA) return false;
  return requiredBranchPolicies(organization, repository, refName).length > 0;
}

/** A ref (`exact`) or ref prefix (`prefix`) that takes no direct updates. */
export interface GuardedRef {
  kind: 'exact' | 'prefix';
  ref: string;
}

/**
 * The branches of a repository that enabled blocking pull request policies
 * guard, for git pushes to be checked outside the REST API (a default
 * branch scope resolves to the default branch of the moment).
 */
export function guardedRefs(
  organization: OrganizationState,
  repository: RepositoryState,
): GuardedRef[] {
  const guarded: GuardedRef[] = [];
  for (const p of organization.policies.values()) {
    if (!isRequiredPullRequestPolicy(p, repository)) continue;
    for (const s of p.scope) {
      if (s.repositoryId && s.repositoryId.toLowerCase() !== repository.id)
        continue;
      if (s.matchKind === 'DefaultBranch') {
        if (repository.defaultBranch)
          guarded.push({ kind: 'exact', ref: repository.defaultBranch });
      } else if (s.refName === undefined) {
        guarded.push({ kind: 'prefix', ref: 'refs/heads/' });
      } else {
        guarded.push({
          kind: s.matchKind === 'Prefix' ? 'prefix' : 'exact',
          ref: s.refName,
        });
      }
    }
  }
  return guarded;
}
