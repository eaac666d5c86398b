import { randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound } from './errors';
import {
  DIGEST_PATTERN,
  REPOSITORY_PATTERN,
  SEVERITIES,
  TAG_PATTERN,
  isDigest,
  randomDigest,
  type ArtifactRecord,
  type ProjectRecord,
  type PushArtifactInput,
  type RepositoryRecord,
  type RobotRecord,
  type VulnerabilityCounts,
} from './model';
import { DEFAULT_ROBOT_NAME_PREFIX, VULNERABILITY_REPORT_MIME } from './views';

function fullCounts(
  counts: VulnerabilityCounts,
): Required<VulnerabilityCounts> {
  const result = {} as Required<VulnerabilityCounts>;
  for (const severity of SEVERITIES) {
    const value = counts[severity] ?? 0;
    if (!Number.isInteger(value) || value < 0) {
      throw badRequest(
        `vulnerability count of ${severity} must be a non-negative integer`,
      );
    }
    result[severity] = value;
  }
  return result;
}

type IdKind =
  | 'project'
  | 'repository'
  | 'artifact'
  | 'tag'
  | 'robot'
  | 'accessory'
  | 'allowlist';

/** Every id sequence starts at 1, as Harbor's database sequences do. */
function freshIds(): Record<IdKind, number> {
  return {
    project: 1,
    repository: 1,
    artifact: 1,
    tag: 1,
    robot: 1,
    accessory: 1,
    allowlist: 1,
  };
}

/**
 * The state of one emulated Harbor: projects, repositories, artifacts, tags
 * and robot accounts, with the rules Harbor enforces on them.
 */
export class HarborState {
  private projects = new Map<number, ProjectRecord>();
  private repositories = new Map<number, RepositoryRecord>();
  private artifacts = new Map<number, ArtifactRecord>();
  private robots = new Map<number, RobotRecord>();
  private nextId: Record<IdKind, number> = freshIds();
  /**
   * The system setting `robot_name_prefix` (Harbor core env `ROBOT_NAME_PREFIX`, default `robot$`,
   * src/lib/config/metadata/metadatalist.go): robot names are shown and log in as this prefix
   * followed by the stored name (src/controller/robot/controller.go populate).
   */
  robotNamePrefix = DEFAULT_ROBOT_NAME_PREFIX;
  /** The report MIME types the project's scanner produces: Trivy's adapter produces the v1.1 report only. */
  scannerReportMimeTypes: string[] = [VULNERABILITY_REPORT_MIME];

  constructor() {
    this.reset();
  }

  /** Forgets everything; like a fresh install, only the public `library` project exists. */
  reset() {
    this.robotNamePrefix = DEFAULT_ROBOT_NAME_PREFIX;
    this.scannerReportMimeTypes = [VULNERABILITY_REPORT_MIME];
    this.projects.clear();
    this.repositories.clear();
    this.artifacts.clear();
    this.robots.clear();
    this.nextId = freshIds();
    this.createProject({
      name: 'library',
      metadata: { public: 'true' },
      storageLimit: -1,
    });
  }

  private id(kind: IdKind): number {
    const value = this.nextId[kind];
    this.nextId[kind] += 1;
    return value;
  }

  // Projects

  /** Creates a project owned by the admin; 409 when the name is taken. */
  createProject(input: {
    name: string;
    metadata: Record<string, string>;
    storageLimit: number;
  }): ProjectRecord {
    if (this.projectByName(input.name)) {
      throw conflict(`The project named ${input.name} already exists`);
    }
    const now = new Date();
    const project: ProjectRecord = {
      id: this.id('project'),
      name: input.name,
      ownerId: 1,
      ownerName: 'admin',
      metadata: { ...input.metadata },
      storageLimit: input.storageLimit,
      creationTime: now,
      updateTime: now,
      cveAllowlistId: this.id('allowlist'),
    };
    this.projects.set(project.id, project);
    return project;
  }

  /** The project of that name, if any. */
  projectByName(name: string): ProjectRecord | undefined {
    return [...this.projects.values()].find(p => p.name === name);
  }

  /** The project of that id, if any. */
  projectById(id: number): ProjectRecord | undefined {
    return this.projects.get(id);
  }

  /** The project of that name, or a 404 in Harbor's words. */
  requireProject(name: string): ProjectRecord {
    const project = this.projectByName(name);
    if (!project) throw notFound(`project ${name} not found`);
    return project;
  }

  /** Every project. */
  allProjects(): ProjectRecord[] {
    return [...this.projects.values()];
  }

  /** Deletes a project and its robot accounts (the caller checks it has no repositories). */
  deleteProject(id: number) {
    this.projects.delete(id);
    for (const robot of this.robots.values()) {
      if (robot.projectId === id) this.robots.delete(robot.id);
    }
  }

  // Repositories

  /** The repositories of a project. */
  repositoriesOf(projectId: number): RepositoryRecord[] {
    return [...this.repositories.values()].filter(
      r => r.projectId === projectId,
    );
  }

  /** The repository of that full name (`<project>/<repository>`), if any. */
  repositoryByName(fullName: string): RepositoryRecord | undefined {
    return [...this.repositories.values()].find(r => r.name === fullName);
  }

  /** Deletes a repository with all its artifacts. */
  deleteRepository(id: number) {
    this.repositories.delete(id);
    for (const artifact of this.artifacts.values()) {
      if (artifact.repositoryId === id) this.artifacts.delete(artifact.id);
    }
  }

  // Artifacts

  /** The artifacts of a repository. */
  artifactsOf(repositoryId: number): ArtifactRecord[] {
    return [...this.artifacts.values()].filter(
      a => a.repositoryId === repositoryId,
    );
  }

  /** The artifacts of a project. */
  artifactsOfProject(projectId: number): ArtifactRecord[] {
    return [...this.artifacts.values()].filter(a => a.projectId === projectId);
  }

  /**
   * The artifact a digest or tag names in a repository, or a 404 worded as
   * Harbor's artifact controller words it.
   */
  requireArtifact(fullName: string, reference: string): ArtifactRecord {
    const repository = this.repositoryByName(fullName);
    if (isDigest(reference)) {
      const found =
        repository &&
        this.artifactsOf(repository.id).find(a => a.digest === reference);
      if (!found) throw notFound(`artifact ${fullName}@${reference} not found`);
      return found;
    }
    if (!repository) throw notFound(`repository ${fullName} not found`);
    const tagged = this.artifactsOf(repository.id).find(a =>
      a.tags.some(t => t.name === reference),
    );
    if (!tagged) throw notFound(`artifact ${fullName}:${reference} not found`);
    return tagged;
  }

  /** Deletes one artifact (its tags go with it). */
  deleteArtifact(id: number) {
    this.artifacts.delete(id);
  }

  /**
   * Records a push: creates the repository on first push, creates or reuses
   * the artifact of that digest and moves each tag onto it, as a registry
   * does (the previous artifact stays, untagged).
   */
  pushArtifact(input: PushArtifactInput): ArtifactRecord {
    const project = this.requireProject(input.project);
    const digest = input.digest ?? randomDigest();
    if (!DIGEST_PATTERN.test(digest)) {
      throw badRequest(
        `invalid digest ${digest}: expected sha256:<64 lowercase hex>`,
      );
    }
    if (!REPOSITORY_PATTERN.test(input.repository)) {
      // The registry refuses the push with NAME_INVALID.
      throw badRequest(`invalid repository name ${input.repository}`);
    }
    const badTag = input.tags.find(tag => !TAG_PATTERN.test(tag));
    if (badTag !== undefined) {
      throw badRequest(`invalid tag ${badTag}`);
    }
    const pushTime = input.pushedAt ?? new Date();
    const repository = this.ensureRepository(
      project,
      input.repository,
      pushTime,
    );
    const artifact =
      this.artifactsOf(repository.id).find(a => a.digest === digest) ??
      this.addArtifact(repository, digest, pushTime, input.size);
    for (const name of new Set(input.tags)) {
      this.moveTag(repository, artifact, name, pushTime);
    }

    if (input.vulnerabilities) {
      this.recordScan(artifact, input.vulnerabilities, pushTime);
    } else if (!artifact.scan && project.metadata.auto_scan === 'true') {
      this.recordScan(artifact, {}, pushTime);
    }
    if (
      !artifact.sbom &&
      (input.sbom || project.metadata.auto_sbom_generation === 'true')
    ) {
      artifact.sbom = {
        reportId: randomUUID(),
        accessoryId: this.id('accessory'),
        digest: randomDigest(),
        size: 4096 + (parseInt(digest.slice(13, 17), 16) % 60_000),
        startTime: new Date(pushTime.getTime() + 1000),
        endTime: new Date(pushTime.getTime() + 4000),
      };
    }
    return artifact;
  }

  private ensureRepository(
    project: ProjectRecord,
    name: string,
    at: Date,
  ): RepositoryRecord {
    const fullName = `${project.name}/${name}`;
    const existing = this.repositoryByName(fullName);
    if (existing) {
      existing.updateTime = at;
      return existing;
    }
    const repository: RepositoryRecord = {
      id: this.id('repository'),
      projectId: project.id,
      name: fullName,
      pullCount: 0,
      creationTime: at,
      updateTime: at,
    };
    this.repositories.set(repository.id, repository);
    return repository;
  }

  private addArtifact(
    repository: RepositoryRecord,
    digest: string,
    at: Date,
    size?: number,
  ): ArtifactRecord {
    const artifact: ArtifactRecord = {
      id: this.id('artifact'),
      projectId: repository.projectId,
      repositoryId: repository.id,
      digest,
      size:
        size ?? 20_000_000 + (parseInt(digest.slice(7, 13), 16) % 80_000_000),
      pushTime: at,
      tags: [],
    };
    this.artifacts.set(artifact.id, artifact);
    return artifact;
  }

  /** Points a tag at an artifact, taking it from whichever artifact of the repository had it. */
  private moveTag(
    repository: RepositoryRecord,
    artifact: ArtifactRecord,
    name: string,
    at: Date,
  ) {
    for (const other of this.artifactsOf(repository.id)) {
      if (other !== artifact)
        other.tags = other.tags.filter(t => t.name !== name);
    }
    const existing = artifact.tags.find(t => t.name === name);
    if (existing) {
      existing.pushTime = at;
      return;
    }
    artifact.tags.push({
      id: this.id('tag'),
      name,
      repositoryId: repository.id,
      artifactId: artifact.id,
      pushTime: at,
    });
  }

  /** Replaces the scan report of an artifact with a finished scan of these counts. */
  recordScan(
    artifact: ArtifactRecord,
    vulnerabilities: VulnerabilityCounts,
    at = new Date(),
  ) {
    const counts = fullCounts(vulnerabilities);
    const total = SEVERITIES.reduce(
      (sum, severity) => sum + counts[severity],
      0,
    );
    artifact.scan = {
      reportId: randomUUID(),
      counts,
      fixable: total,
      startTime: new Date(at.getTime() + 1000),
      endTime: new Date(at.getTime() + 3000),
    };
  }

  // Robots

  /** Creates a robot account; 409 when its name is taken in its scope. */
  createRobot(
    input: Omit<RobotRecord, 'id' | 'creationTime' | 'updateTime'>,
  ): RobotRecord {
    const taken = [...this.robots.values()].some(
      r => r.projectId === input.projectId && r.name === input.name,
    );
    if (taken) {
      throw conflict(
        `robot account ${input.projectId}:${input.name} already exists`,
      );
    }
    const now = new Date();
    const robot: RobotRecord = {
      ...input,
      id: this.id('robot'),
      creationTime: now,
      updateTime: now,
    };
    this.robots.set(robot.id, robot);
    return robot;
  }

  /** The robot of that id, or a 404. */
  requireRobot(id: number): RobotRecord {
    const robot = this.robots.get(id);
    if (!robot) throw notFound(`robot ${id} not found`);
    return robot;
  }

  /** The robot whose stored name (without the prefix) is this, if any. */
  robotByName(name: string): RobotRecord | undefined {
    return [...this.robots.values()].find(r => r.name === name);
  }

  /** Every robot account. */
  allRobots(): RobotRecord[] {
    return [...this.robots.values()];
  }

  /** Deletes a robot account; 404 when there is none. */
  deleteRobot(id: number) {
    if (!this.robots.delete(id))
      throw notFound(`robot account ${id} not found`);
  }
}
