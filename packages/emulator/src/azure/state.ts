/**
 * What the emulated Azure DevOps knows per organization: the projects and
 * repositories (kept on disk with the shared git repositories, so a
 * restart finds them again), and where each lives (paths and URLs).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { GitRepositories } from '../git/GitRepositories';
import { readConfig, writeConfig } from './gitTrees';
import {
  projectExists,
  projectNotFound,
  repositoryExists,
  repositoryNotFound,
} from './errors';
import {
  AGILE_PROCESS_ID,
  checkName,
  diskName,
  fromDiskName,
  isGuid,
  type OrganizationState,
  type ProjectState,
  type RepositoryState,
} from './model';

// Git config keys that record a repository's ids in the repository itself.
const REPOSITORY_ID_KEY = 'azure.repositoryId';
const PROJECT_ID_KEY = 'azure.projectId';

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

/**
 * The organizations of one emulator and the lookups every route needs;
 * lookups throw the service's 404s.
 */
export class AzureOrganizations {
  private readonly organizations = new Map<string, OrganizationState>();

  constructor(
    /** Where the emulated service listens; every URL it answers with starts here. */
    readonly baseUrl: string,
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
        policies: new Map(),
        nextPolicyId: 1,
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
}
