/**
 * What the emulated Azure DevOps records per organization (projects,
 * repositories, pushes, pull requests, operations), the user every PAT
 * belongs to, and the naming rules the service applies.
 */
import { invalidRepositoryName } from './errors';

/** The user every accepted PAT belongs to. */
export const EMULATOR_USER = {
  id: '6c3f8a52-1d0e-4b7a-9f21-5e8d7c4b3a10',
  displayName: 'Luban Emulator',
  uniqueName: 'emulator@luban.invalid',
  descriptor: 'aad.NmMzZjhhNTItMWQwZS03YjdhLTlmMjEtNWU4ZDdjNGIzYTEw',
};

/** The Agile process, which new projects get unless told otherwise. */
export const AGILE_PROCESS_ID = 'adcc42ab-9882-485e-a3ed-7678f01f66bc';

/** A project of an organization. */
export interface ProjectState {
  id: string;
  name: string;
  description?: string;
  visibility: 'private' | 'public';
  revision: number;
  lastUpdateTime: string;
  defaultTeamId: string;
  processTemplateId: string;
}

/** A Git repository of a project. */
export interface RepositoryState {
  id: string;
  name: string;
  projectId: string;
  /** Full ref name; absent until the first branch is pushed, as on the service. */
  defaultBranch?: string;
}

/** One ref moved by a push. */
export interface RefUpdateRecord {
  name: string;
  oldObjectId: string;
  newObjectId: string;
}

/** A push: every ref update of one `git push`, `pushes` or `refs` call or pull request merge. */
export interface PushRecord {
  pushId: number;
  date: string;
  refUpdates: RefUpdateRecord[];
  /** The commits the push introduced, newest first; filled in when the push is finished. */
  commitIds: string[];
}

/** A pull request. */
export interface PullRequestState {
  pullRequestId: number;
  repositoryId: string;
  title: string;
  description?: string;
  sourceRefName: string;
  targetRefName: string;
  isDraft: boolean;
  status: 'active' | 'abandoned' | 'completed';
  creationDate: string;
  closedDate?: string;
  mergeId: string;
  /** Frozen when the pull request closes; live (the branch heads) while active. */
  lastMergeSourceCommit?: string;
  lastMergeTargetCommit?: string;
  lastMergeCommit?: string;
  mergeStatus?: 'queued' | 'conflicts' | 'succeeded' | 'failure';
  /** The heads the cached merge status was computed for. */
  mergeStatusFor?: string;
  completionOptions?: Record<string, unknown>;
  /** Reviewers and their votes: 10 approved, 5 with suggestions, 0 none, -5 waiting for the author, -10 rejected. */
  reviewers?: Array<{
    id: string;
    displayName: string;
    uniqueName: string;
    vote: number;
  }>;
  /** When completion was asked for while required policies were not met (the pull request stays active). */
  completionQueueTime?: string;
}

/** A queued operation (project creation and deletion). */
export interface OperationState {
  id: string;
  status: 'succeeded' | 'failed';
  resultMessage: string | null;
}

/** Everything one organization holds. */
export interface OrganizationState {
  name: string;
  /** The collection (and account) id. */
  id: string;
  projects: Map<string, ProjectState>;
  repositories: Map<string, RepositoryState>;
  pushes: Map<string, PushRecord[]>;
  pullRequests: Map<number, PullRequestState>;
  nextPullRequestId: number;
  operations: Map<string, OperationState>;
  /** Policy configurations by id (ids count up per organization, as on the service). */
  policies: Map<number, PolicyConfigurationState>;
  nextPolicyId: number;
}

/** One scope entry of a policy configuration's `settings.scope`. */
export interface PolicyScope {
  /** Absent or null: every repository of the project. */
  repositoryId?: string | null;
  /** Absent: every branch (or, with `DefaultBranch`, the default branch). */
  refName?: string;
  matchKind: 'Exact' | 'Prefix' | 'DefaultBranch';
}

/** A policy configuration (`_apis/policy/configurations`) of a project. */
export interface PolicyConfigurationState {
  id: number;
  projectId: string;
  typeId: string;
  isEnabled: boolean;
  isBlocking: boolean;
  isDeleted: boolean;
  revision: number;
  createdDate: string;
  /** As posted, `scope` included. */
  settings: Record<string, unknown>;
  scope: PolicyScope[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a route value is a GUID rather than a name. */
export function isGuid(value: string) {
  return GUID.test(value);
}

// Characters Azure DevOps refuses in repository names (TF401025).
const FORBIDDEN_NAME_CHARACTERS = /[\\/:*?"<>|;#${},+=[\]]/;

/** Validates a repository or project name as the service does. */
export function checkName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    name.trim() === '' ||
    name.length > 64 ||
    FORBIDDEN_NAME_CHARACTERS.test(name) ||
    [...name].some(c => c.charCodeAt(0) < 32) ||
    /^[_.]/.test(name) ||
    name.endsWith('.')
  ) {
    throw invalidRepositoryName(String(name));
  }
  return name;
}

/**
 * A name as a folder on disk: shared `GitRepositories` only takes
 * `[\w.-]`, so anything else (a space, say) is written as `_xHH_`.
 */
export function diskName(name: string) {
  return name.replace(
    /[^\w.-]/g,
    c => `_x${c.charCodeAt(0).toString(16).padStart(2, '0')}_`,
  );
}

/** Reverses {@link diskName}. */
export function fromDiskName(name: string) {
  return name.replace(/_x([0-9a-f]+)_/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}
