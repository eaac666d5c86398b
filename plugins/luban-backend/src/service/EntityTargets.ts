import type { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  LUBAN_APP_ANNOTATION,
  LUBAN_CLUSTER_ANNOTATION,
  LUBAN_GITOPS_REPO_ANNOTATION,
  LUBAN_KPACK_IMAGE_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
  LUBAN_SOURCE_REPO_ANNOTATION,
  ciNamespaceName,
  deriveProjectNames,
  findNameProblem,
  kpackImageName,
  type LubanEnvironment,
  type LubanProjectView,
} from '@luban-backstage/plugin-luban-common';
import {
  normalizeGroupRef,
  type GitProviders,
  type LubanProjectRecord,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from './ClusterAccess';
import type { ProjectRecords } from './ProjectRecords';

/** Where an entity's app lives on the platform. */
export interface LubanTarget {
  entityRef: string;
  project: string;
  app: string;
  /** The kpack Image that builds the app. */
  image: { namespace: string; name: string };
  /** The cluster (by name) that runs the builds; undefined means the first configured. */
  cluster?: string;
  sourceRepo?: RepoLocation;
  /** The project's GitOps repository, as its record names it. */
  gitopsRepo?: RepoLocation;
  environments: LubanEnvironment[];
}

/** An entity {@link EntityTargets.allTargets} left out, and why. */
export interface RefusedEntity {
  entity: Entity;
  error: Error;
}

const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';

function annotationHelp(annotation: string, example: string) {
  return `add the annotation '${annotation}: ${example}' to its catalog-info.yaml`;
}

/** A project or app name from an annotation, or an error naming the annotation and the problem. */
function checkName(entityRef: string, kind: 'project' | 'app', value: string, annotation: string) {
  const problem = findNameProblem(kind, value);
  if (problem) throw new InputError(`${entityRef} has an invalid '${annotation}' annotation: ${problem}`);
}

/** `url:https://host/o/r/tree/main/` → `https://host/o/r` (what source-location usually holds). */
function repositoryUrlOf(sourceLocation: string): string {
  return sourceLocation
    .replace(/^url:/, '')
    .replace(/\/(tree|blob)\/.*$/, '')
    .replace(/\/+$/, '');
}

/**
 * Maps a catalog entity to its luban project, app, kpack Image, cluster and
 * repositories. Annotations only name the project and app: what the project
 * owns comes from its record, which luban wrote at onboarding, and an entity
 * whose owner or annotations disagree with the record is refused before
 * anything else on the platform is read. Errors name the annotation or the
 * record and what differs.
 */
export class EntityTargets {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      git: GitProviders;
      environments: LubanEnvironment[];
      records: ProjectRecords;
      /** To refuse an entity naming an unconfigured cluster before anything is read. */
      clusters: Pick<ClusterAccess, 'cluster'>;
    },
  ) {}

  /**
   * The luban project of an entity (which may name no app) and the names of
   * what the project owns in each configured environment, derived here once
   * for the pages that show them; only for an entity of the project's owner.
   */
  async projectOf(entity: Entity): Promise<LubanProjectView> {
    const entityRef = stringifyEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};
    const project = annotations[LUBAN_PROJECT_ANNOTATION];
    if (!project) {
      throw new InputError(`${entityRef} is not in a luban project: ${annotationHelp(LUBAN_PROJECT_ANNOTATION, '<project>')}`);
    }
    checkName(entityRef, 'project', project, LUBAN_PROJECT_ANNOTATION);
    await this.recordFor(entity, project);
    const { environments } = this.options;
    const names = deriveProjectNames(project, environments);
    return {
      project,
      // As the entity names it: the page says what is wrong with an invalid one.
      app: annotations[LUBAN_APP_ANNOTATION],
      ciNamespace: names.ciNamespace,
      harborProject: names.harborProject,
      argoCdProject: names.argoCdProject,
      gitopsRepository: names.gitopsRepository,
      environments: environments.map(env => ({
        name: env.name,
        namespace: names.environmentNamespaces[env.name],
        ...(env.cluster ? { cluster: env.cluster } : {}),
        autoSync: env.autoSync ?? false,
      })),
    };
  }

  /** Maps an entity already read from the catalog, checked against its project's record. */
  async fromEntity(entity: Entity): Promise<LubanTarget> {
    const entityRef = stringifyEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};
    const project = annotations[LUBAN_PROJECT_ANNOTATION];
    const app = annotations[LUBAN_APP_ANNOTATION];
    if (!project) {
      throw new InputError(`${entityRef} is not a luban app: ${annotationHelp(LUBAN_PROJECT_ANNOTATION, '<project>')}`);
    }
    if (!app) {
      throw new InputError(`${entityRef} is not a luban app: ${annotationHelp(LUBAN_APP_ANNOTATION, '<app>')}`);
    }
    checkName(entityRef, 'project', project, LUBAN_PROJECT_ANNOTATION);
    checkName(entityRef, 'app', app, LUBAN_APP_ANNOTATION);
    const image = this.imageOf(entityRef, project, app, annotations[LUBAN_KPACK_IMAGE_ANNOTATION]);
    const sourceUrl =
      annotations[LUBAN_SOURCE_REPO_ANNOTATION] ??
      (annotations[SOURCE_LOCATION_ANNOTATION] ? repositoryUrlOf(annotations[SOURCE_LOCATION_ANNOTATION]) : undefined);
    const sourceRepo = sourceUrl ? this.parseRepository(entityRef, sourceUrl, LUBAN_SOURCE_REPO_ANNOTATION) : undefined;
    const gitopsUrl = annotations[LUBAN_GITOPS_REPO_ANNOTATION];
    const claimedGitops = gitopsUrl ? this.parseRepository(entityRef, gitopsUrl, LUBAN_GITOPS_REPO_ANNOTATION) : undefined;
    const cluster = annotations[LUBAN_CLUSTER_ANNOTATION];
    if (cluster !== undefined) this.options.clusters.cluster(cluster);

    const record = await this.recordFor(entity, project);
    const ciNamespace = ciNamespaceName(project);
    if (image.namespace !== ciNamespace) {
      throw new NotAllowedError(
        `${entityRef} names the kpack Image ${image.namespace}/${image.name}, outside its project's namespace ${ciNamespace}: '${LUBAN_KPACK_IMAGE_ANNOTATION}' may only name an Image in ${ciNamespace}`,
      );
    }
    const gitopsRepo = record.gitopsRepository
      ? this.parseRepository(entityRef, record.gitopsRepository, `the record of project '${project}'`)
      : undefined;
    if (claimedGitops && claimedGitops.webUrl.toLowerCase() !== gitopsRepo?.webUrl.toLowerCase()) {
      throw new NotAllowedError(
        `${entityRef} names the GitOps repository ${claimedGitops.webUrl} in '${LUBAN_GITOPS_REPO_ANNOTATION}', but project '${project}' uses ${gitopsRepo?.webUrl ?? 'none yet'}`,
      );
    }
    return { entityRef, project, app, image, cluster, sourceRepo, gitopsRepo, environments: this.options.environments };
  }

  /**
   * Reads an entity from the catalog with the caller's credentials, so the
   * catalog's permission rules apply: an entity the caller may not read is
   * not found, exactly like one that does not exist.
   */
  async readEntity(entityRef: string, credentials: BackstageCredentials): Promise<Entity> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`No catalog entity ${entityRef}`);
    return entity;
  }

  /**
   * Every catalog entity that is a luban app, read as luban itself and
   * mapped; entities that are not mappable or that their project's record
   * refuses are left out, and handed to `onRefused` when given.
   */
  async allTargets(options: { onRefused?: (refused: RefusedEntity) => void } = {}): Promise<LubanTarget[]> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = await this.options.catalog.getEntities(
      { filter: { [`metadata.annotations.${LUBAN_APP_ANNOTATION}`]: CATALOG_FILTER_EXISTS } },
      { credentials },
    );
    const targets: LubanTarget[] = [];
    for (const entity of items) {
      try {
        targets.push(await this.fromEntity(entity));
      } catch (error) {
        options.onRefused?.({ entity, error: error as Error });
      }
    }
    return targets;
  }

  /** The GitOps repository, or an error saying that the project has none recorded. */
  static requireGitopsRepo(target: LubanTarget): RepoLocation {
    if (!target.gitopsRepo) {
      throw new InputError(
        `${target.entityRef} has no GitOps repository: project '${target.project}' has none recorded yet (onboarding records it when it creates the ${target.project}-gitops repository)`,
      );
    }
    return target.gitopsRepo;
  }

  /**
   * The record of the entity's project, when the entity belongs to the
   * project's owner group: a project without a record is not found, an
   * entity owned by anyone else is refused.
   */
  private async recordFor(entity: Entity, project: string): Promise<LubanProjectRecord> {
    const entityRef = stringifyEntityRef(entity);
    const lookup = await this.options.records.lookup(project);
    if (lookup.state !== 'recorded') {
      throw new NotFoundError(`${entityRef} names project '${project}', which luban has no record of: onboard it first`);
    }
    const { owner } = lookup.record;
    const entityOwner = String(entity.spec?.owner ?? '');
    let normalized: string | undefined;
    try {
      normalized = normalizeGroupRef(entityOwner);
    } catch {
      // A user or an invalid reference can never be the owner group.
    }
    if (normalized !== owner) {
      throw new NotAllowedError(
        `${entityRef} is owned by '${entityOwner}', but project '${project}' is owned by ${owner}: only entities of the project's owner group are luban apps of it`,
      );
    }
    return lookup.record;
  }

  /** The kpack Image, `<ci-namespace>/<app>` unless the annotation names another. */
  private imageOf(entityRef: string, project: string, app: string, override: string | undefined) {
    if (!override) return { namespace: ciNamespaceName(project), name: kpackImageName(app) };
    const match = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-a-z0-9.]*)$/.exec(override);
    if (!match) {
      throw new InputError(`${entityRef} has an invalid '${LUBAN_KPACK_IMAGE_ANNOTATION}' annotation '${override}': expected <namespace>/<name>`);
    }
    return { namespace: match[1], name: match[2] };
  }

  private parseRepository(entityRef: string, url: string, source: string): RepoLocation {
    try {
      return this.options.git.parse(url);
    } catch (error) {
      throw new InputError(`${entityRef}: the repository '${url}' (from '${source}') is not usable: ${(error as Error).message}`);
    }
  }
}
