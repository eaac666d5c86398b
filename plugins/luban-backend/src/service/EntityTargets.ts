import type { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
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
  gitopsRepositoryName,
  kpackImageName,
  type LubanEnvironment,
  type LubanProjectView,
} from '@luban-backstage/plugin-luban-common';
import { siblingRepository, type GitProviders, type RepoLocation } from '@luban-backstage/plugin-luban-node';

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
  gitopsRepo?: RepoLocation;
  environments: LubanEnvironment[];
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
 * repositories, from the annotations defined in luban-common. Errors name
 * the missing annotation and how to add it.
 */
export class EntityTargets {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      git: GitProviders;
      environments: LubanEnvironment[];
    },
  ) {}

  /**
   * The luban project of an entity (which may name no app) and the names of
   * what the project owns in each configured environment, derived here once
   * for the pages that show them.
   */
  projectOf(entity: Entity): LubanProjectView {
    const entityRef = stringifyEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};
    const project = annotations[LUBAN_PROJECT_ANNOTATION];
    if (!project) {
      throw new InputError(`${entityRef} is not in a luban project: ${annotationHelp(LUBAN_PROJECT_ANNOTATION, '<project>')}`);
    }
    checkName(entityRef, 'project', project, LUBAN_PROJECT_ANNOTATION);
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

  /** Maps an entity already read from the catalog. */
  fromEntity(entity: Entity): LubanTarget {
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

    let image = { namespace: ciNamespaceName(project), name: kpackImageName(app) };
    const imageOverride = annotations[LUBAN_KPACK_IMAGE_ANNOTATION];
    if (imageOverride) {
      const match = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-a-z0-9.]*)$/.exec(imageOverride);
      if (!match) {
        throw new InputError(`${entityRef} has an invalid '${LUBAN_KPACK_IMAGE_ANNOTATION}' annotation '${imageOverride}': expected <namespace>/<name>`);
      }
      image = { namespace: match[1], name: match[2] };
    }

    const sourceUrl =
      annotations[LUBAN_SOURCE_REPO_ANNOTATION] ??
      (annotations[SOURCE_LOCATION_ANNOTATION] ? repositoryUrlOf(annotations[SOURCE_LOCATION_ANNOTATION]) : undefined);
    const sourceRepo = sourceUrl ? this.parseRepository(entityRef, sourceUrl, LUBAN_SOURCE_REPO_ANNOTATION) : undefined;
    const gitopsUrl = annotations[LUBAN_GITOPS_REPO_ANNOTATION];
    let gitopsRepo: RepoLocation | undefined;
    if (gitopsUrl) {
      gitopsRepo = this.parseRepository(entityRef, gitopsUrl, LUBAN_GITOPS_REPO_ANNOTATION);
    } else if (sourceRepo) {
      gitopsRepo = siblingRepository(sourceRepo, gitopsRepositoryName(project));
    }

    return {
      entityRef,
      project,
      app,
      image,
      cluster: annotations[LUBAN_CLUSTER_ANNOTATION],
      sourceRepo,
      gitopsRepo,
      environments: this.options.environments,
    };
  }

  /**
   * Reads an entity from the catalog as luban itself: callers decide with
   * luban's permissions whether the user may see what luban shows of it.
   */
  async readEntity(entityRef: string): Promise<Entity> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const entity = await this.options.catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`No catalog entity ${entityRef}`);
    return entity;
  }

  /**
   * Every catalog entity that is a luban app, mapped; entities whose
   * annotations are invalid are skipped (their pages say why).
   */
  async allTargets(): Promise<LubanTarget[]> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = await this.options.catalog.getEntities(
      { filter: { [`metadata.annotations.${LUBAN_APP_ANNOTATION}`]: CATALOG_FILTER_EXISTS } },
      { credentials },
    );
    const targets: LubanTarget[] = [];
    for (const entity of items) {
      try {
        targets.push(this.fromEntity(entity));
      } catch {
        // Not mappable: nothing to deploy or notify.
      }
    }
    return targets;
  }

  /** The GitOps repository, or an error saying how to name it. */
  static requireGitopsRepo(target: LubanTarget): RepoLocation {
    if (!target.gitopsRepo) {
      throw new InputError(
        `${target.entityRef} has no GitOps repository: ${annotationHelp(LUBAN_GITOPS_REPO_ANNOTATION, 'https://github.com/<org>/<project>-gitops')} (or '${SOURCE_LOCATION_ANNOTATION}', next to which the <project>-gitops repository is found)`,
      );
    }
    return target.gitopsRepo;
  }

  private parseRepository(entityRef: string, url: string, annotation: string): RepoLocation {
    try {
      return this.options.git.parse(url);
    } catch (error) {
      throw new InputError(`${entityRef}: the repository '${url}' (from '${annotation}') is not usable: ${(error as Error).message}`);
    }
  }
}
