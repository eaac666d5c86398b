/**
 * What the emulated Azure DevOps knows per organization (projects,
 * repositories, pushes, pull requests, operations) and the JSON shapes the
 * service answers with (TeamProjectReference, GitRepository, IdentityRef,
 * GitCommitRef).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { CommitInfo, GitRepositories } from '../git/GitRepositories';
import { readConfig, writeConfig } from './gitTrees';
import {
  invalidRepositoryName,
  projectExists,
  projectNotFound,
  repositoryExists,
  repositoryNotFound,
} from './errors';

/** The user every accepted PAT belongs to. */
export const EMULATOR_USER = {
  id: '6c3f8a52-1d0e-4b7a-9f21-5e8d7c4b3a10',
  displayName: 'Luban Emulator',
  uniqueName: 'emulator@luban.invalid',
  descriptor: 'aad.NmMzZjhhNTItMWQwZS03YjdhLTlmMjEtNWU4ZDdjNGIzYTEw',
};

// Git config keys that record a repository's ids in the repository itself.
const REPOSITORY_ID_KEY = 'azure.repositoryId';
const PROJECT_ID_KEY = 'azure.projectId';

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

/** A GUID derived from a key, so that what is found on disk keeps its id across restarts. */
function stableId(key: string) {
  const hex = createHash('sha1')
    .update(`luban-emulator/azure/${key}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(
    13,
    16,
  )}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The names of the folders in a folder; none when it does not exist. */
async function subfolders(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true }))
      .filter(e => e.isDirectory())
      .map(e => e.name);
  } catch {
    return [];
  }
}

/** The identity the service reports for the emulator's PAT owner. */
export function identityRef(organizationUrl: string) {
  const avatar = `${organizationUrl}/_apis/GraphProfile/MemberAvatars/${EMULATOR_USER.descriptor}`;
  return {
    displayName: EMULATOR_USER.displayName,
    url: `${organizationUrl}/_apis/Identities/${EMULATOR_USER.id}`,
    _links: { avatar: { href: avatar } },
    id: EMULATOR_USER.id,
    uniqueName: EMULATOR_USER.uniqueName,
    imageUrl: avatar,
    descriptor: EMULATOR_USER.descriptor,
  };
}

/** The author/committer block of a commit (`GitUserDate`). */
export function userDate(user: { name: string; email: string; date: string }) {
  return {
    name: user.name,
    email: user.email,
    date: new Date(user.date).toISOString(),
  };
}

/**
 * The organizations of one emulator and the lookups every route needs;
 * lookups throw the service's 404s.
 */
export class AzureOrganizations {
  private readonly organizations = new Map<string, OrganizationState>();

  constructor(
    private readonly baseUrl: string,
    private readonly git: GitRepositories,
    private readonly names: string[],
  ) {}

  /**
   * Starts from what a previous run left on disk (a persistent git root):
   * every `azure/<org>/<project>/<repo>.git` becomes a project and a
   * repository again, with the ids recorded in the repository's git config.
   * Each organization then gets its `platform` project if it has none.
   */
  async load(): Promise<void> {
    this.initOrganizations();
    const azureRoot = dirname(this.git.pathOf('azure/root.git'));
    for (const organization of this.organizations.values()) {
      const organizationDir = join(azureRoot, diskName(organization.name));
      for (const projectDir of await subfolders(organizationDir)) {
        await this.loadProject(organization, join(organizationDir, projectDir));
      }
    }
    await this.ensurePlatformProjects();
  }

  /** Registers one project folder found on disk and its repositories. */
  private async loadProject(
    organization: OrganizationState,
    projectDir: string,
  ) {
    const name = fromDiskName(basename(projectDir));
    const gitRoot = dirname(dirname(dirname(projectDir)));
    const found = [];
    for (const folder of await subfolders(projectDir)) {
      const gitDir = join(projectDir, folder);
      const path = relative(gitRoot, gitDir);
      if (!folder.endsWith('.git') || !(await this.git.exists(path))) continue;
      found.push({
        gitDir,
        path,
        name: fromDiskName(folder.slice(0, -'.git'.length)),
        id: await readConfig(gitDir, REPOSITORY_ID_KEY),
        projectId: await readConfig(gitDir, PROJECT_ID_KEY),
      });
    }
    const project = this.newProject(
      name,
      found.find(r => r.projectId)?.projectId ??
        stableId(`${organization.name}/${name}`),
    );
    organization.projects.set(project.id, project);
    for (const onDisk of found) {
      const repository: RepositoryState = {
        id:
          onDisk.id ?? stableId(`${organization.name}/${name}/${onDisk.name}`),
        name: onDisk.name,
        projectId: project.id,
      };
      const head = await this.git.defaultBranch(onDisk.path).catch(() => '');
      if (head && (await this.git.resolve(onDisk.path, `refs/heads/${head}`))) {
        repository.defaultBranch = `refs/heads/${head}`;
      }
      await writeConfig(onDisk.gitDir, REPOSITORY_ID_KEY, repository.id);
      await writeConfig(onDisk.gitDir, PROJECT_ID_KEY, project.id);
      organization.repositories.set(repository.id, repository);
      organization.pushes.set(repository.id, []);
    }
  }

  /** Forgets everything (repositories on disk included) and recreates each organization with its `platform` project. */
  async reset(): Promise<void> {
    for (const organization of this.organizations.values()) {
      for (const repository of organization.repositories.values()) {
        await this.git.remove(this.pathOf(organization, repository));
      }
    }
    this.initOrganizations();
    await this.ensurePlatformProjects();
  }

  private initOrganizations() {
    this.organizations.clear();
    for (const name of this.names) {
      this.organizations.set(name.toLowerCase(), {
        name,
        id: stableId(`organization/${name}`),
        projects: new Map(),
        repositories: new Map(),
        pushes: new Map(),
        pullRequests: new Map(),
        nextPullRequestId: 1,
        operations: new Map(),
      });
    }
  }

  private async ensurePlatformProjects() {
    for (const organization of this.organizations.values()) {
      const projects = [...organization.projects.values()];
      if (!projects.some(p => p.name.toLowerCase() === 'platform')) {
        await this.createProject(organization, { name: 'platform' });
      }
    }
  }

  private newProject(name: string, id: string = randomUUID()): ProjectState {
    return {
      id,
      name,
      visibility: 'private',
      revision: 1,
      lastUpdateTime: new Date().toISOString(),
      defaultTeamId: randomUUID(),
      processTemplateId: AGILE_PROCESS_ID,
    };
  }

  /** The organization of a collection URL's first path segment, if it exists. */
  organization(name: string): OrganizationState | undefined {
    return this.organizations.get(name.toLowerCase());
  }

  /** Every organization (for the ref-update listener). */
  all(): OrganizationState[] {
    return [...this.organizations.values()];
  }

  /** `https://host/<org>`. */
  organizationUrl(organization: OrganizationState) {
    return `${this.baseUrl}/${organization.name}`;
  }

  /** A project by name (case-insensitive) or id, or TF200016. */
  project(organization: OrganizationState, nameOrId: string): ProjectState {
    const byId = isGuid(nameOrId)
      ? organization.projects.get(nameOrId.toLowerCase())
      : undefined;
    const found =
      byId ??
      [...organization.projects.values()].find(
        p => p.name.toLowerCase() === nameOrId.toLowerCase(),
      );
    if (!found) throw projectNotFound(nameOrId);
    return found;
  }

  /**
   * A repository by id, or by name within a project, or TF401019. Without a
   * project only an id finds it, as on the service.
   */
  repository(
    organization: OrganizationState,
    project: ProjectState | undefined,
    nameOrId: string,
  ): RepositoryState {
    const byId = isGuid(nameOrId)
      ? organization.repositories.get(nameOrId.toLowerCase())
      : undefined;
    if (byId && (!project || byId.projectId === project.id)) return byId;
    if (project) {
      const byName = [...organization.repositories.values()].find(
        r =>
          r.projectId === project.id &&
          r.name.toLowerCase() === nameOrId.toLowerCase(),
      );
      if (byName) return byName;
    }
    throw repositoryNotFound(nameOrId);
  }

  /** The repositories of a project, or of the whole organization, by name. */
  repositoriesOf(
    organization: OrganizationState,
    project?: ProjectState,
  ): RepositoryState[] {
    return [...organization.repositories.values()]
      .filter(r => !project || r.projectId === project.id)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Where a repository lives in the shared `GitRepositories`: `azure/<org>/<project>/<repo>.git`. */
  pathOf(organization: OrganizationState, repository: RepositoryState) {
    const project = organization.projects.get(repository.projectId)!;
    return `azure/${diskName(organization.name)}/${diskName(
      project.name,
    )}/${diskName(repository.name)}.git`;
  }

  /** Finds the repository stored at a `GitRepositories` path. */
  byPath(
    path: string,
  ):
    | { organization: OrganizationState; repository: RepositoryState }
    | undefined {
    for (const organization of this.organizations.values()) {
      for (const repository of organization.repositories.values()) {
        if (this.pathOf(organization, repository) === path)
          return { organization, repository };
      }
    }
    return undefined;
  }

  /**
   * Creates a Git project with its default repository of the same name,
   * as the service does for every new Git project.
   */
  async createProject(
    organization: OrganizationState,
    options: {
      name: string;
      description?: string;
      visibility?: 'private' | 'public';
      processTemplateId?: string;
    },
  ): Promise<ProjectState> {
    const name = checkName(options.name);
    if (
      [...organization.projects.values()].some(
        p => p.name.toLowerCase() === name.toLowerCase(),
      )
    ) {
      throw projectExists(name);
    }
    const project: ProjectState = {
      ...this.newProject(name),
      description: options.description,
      visibility: options.visibility ?? 'private',
      processTemplateId: options.processTemplateId ?? AGILE_PROCESS_ID,
    };
    organization.projects.set(project.id, project);
    await this.createRepository(organization, project, name);
    return project;
  }

  /** Creates an empty repository (no branches, no default branch) or TF400948. */
  async createRepository(
    organization: OrganizationState,
    project: ProjectState,
    name: string,
  ): Promise<RepositoryState> {
    checkName(name);
    if (
      this.repositoriesOf(organization, project).some(
        r => r.name.toLowerCase() === name.toLowerCase(),
      )
    ) {
      throw repositoryExists(name);
    }
    const repository: RepositoryState = {
      id: randomUUID(),
      name,
      projectId: project.id,
    };
    const path = this.pathOf(organization, repository);
    await this.git.create(path);
    // Kept in the repository itself, so that a persistent git root keeps its ids across restarts.
    await writeConfig(this.git.pathOf(path), REPOSITORY_ID_KEY, repository.id);
    await writeConfig(this.git.pathOf(path), PROJECT_ID_KEY, project.id);
    organization.repositories.set(repository.id, repository);
    organization.pushes.set(repository.id, []);
    return repository;
  }

  /** Deletes a repository and its pull requests. */
  async deleteRepository(
    organization: OrganizationState,
    repository: RepositoryState,
  ): Promise<void> {
    await this.git.remove(this.pathOf(organization, repository));
    organization.repositories.delete(repository.id);
    organization.pushes.delete(repository.id);
    for (const [id, pullRequest] of organization.pullRequests) {
      if (pullRequest.repositoryId === repository.id)
        organization.pullRequests.delete(id);
    }
  }

  /** Deletes a project and its repositories. */
  async deleteProject(
    organization: OrganizationState,
    project: ProjectState,
  ): Promise<void> {
    for (const repository of this.repositoriesOf(organization, project)) {
      await this.deleteRepository(organization, repository);
    }
    organization.projects.delete(project.id);
  }

  /** `TeamProjectReference`. */
  projectJson(organization: OrganizationState, project: ProjectState) {
    return {
      id: project.id,
      name: project.name,
      ...(project.description ? { description: project.description } : {}),
      url: `${this.organizationUrl(organization)}/_apis/projects/${project.id}`,
      state: 'wellFormed',
      revision: project.revision,
      visibility: project.visibility,
      lastUpdateTime: project.lastUpdateTime,
    };
  }

  /** The clone URL, with the `<org>@` user the service puts in it. */
  remoteUrl(organization: OrganizationState, repository: RepositoryState) {
    const project = organization.projects.get(repository.projectId)!;
    const url = new URL(this.baseUrl);
    return `${url.protocol}//${organization.name}@${url.host}/${
      organization.name
    }/${encodeURIComponent(project.name)}/_git/${encodeURIComponent(
      repository.name,
    )}`;
  }

  /** The repository's web page. */
  webUrl(organization: OrganizationState, repository: RepositoryState) {
    const project = organization.projects.get(repository.projectId)!;
    return `${this.baseUrl}/${organization.name}/${encodeURIComponent(
      project.name,
    )}/_git/${encodeURIComponent(repository.name)}`;
  }

  /** The REST URL of a repository (under its project id, as the service writes it). */
  repositoryUrl(organization: OrganizationState, repository: RepositoryState) {
    return `${this.organizationUrl(organization)}/${
      repository.projectId
    }/_apis/git/repositories/${repository.id}`;
  }

  /** `GitRepository`. */
  repositoryJson(
    organization: OrganizationState,
    repository: RepositoryState,
    size = 0,
  ) {
    const project = organization.projects.get(repository.projectId)!;
    const host = new URL(this.baseUrl).hostname;
    return {
      id: repository.id,
      name: repository.name,
      url: this.repositoryUrl(organization, repository),
      project: this.projectJson(organization, project),
      ...(repository.defaultBranch
        ? { defaultBranch: repository.defaultBranch }
        : {}),
      size,
      remoteUrl: this.remoteUrl(organization, repository),
      sshUrl: `git@ssh.${host}:v3/${organization.name}/${encodeURIComponent(
        project.name,
      )}/${encodeURIComponent(repository.name)}`,
      webUrl: this.webUrl(organization, repository),
      isDisabled: false,
      isInMaintenance: false,
    };
  }

  /** `GitCommitRef` as lists and pushes carry it. */
  commitJson(
    organization: OrganizationState,
    repository: RepositoryState,
    commit: CommitInfo,
  ) {
    return {
      commitId: commit.sha,
      author: userDate(commit.author),
      committer: userDate(commit.committer),
      comment: commit.message,
      url: `${this.repositoryUrl(organization, repository)}/commits/${
        commit.sha
      }`,
      remoteUrl: `${this.webUrl(organization, repository)}/commit/${
        commit.sha
      }`,
    };
  }
}
