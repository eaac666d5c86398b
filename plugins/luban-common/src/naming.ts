/**
 * The naming rules of the luban platform, in one place.
 *
 * Every name luban creates on Kubernetes, Harbor, git and Argo CD is derived
 * from a project name, an app name and an environment name. The limits below
 * are chosen so that every derived name stays valid on every system: the
 * tightest is the 63-character DNS-1123 label of a namespace or label value.
 */

import { shortDigest } from './digest';

/** @public */
export const PROJECT_NAME_MAX_LENGTH = 30;
/** @public */
export const APP_NAME_MAX_LENGTH = 40;
/** @public */
export const ENVIRONMENT_NAME_MAX_LENGTH = 10;

/** The environment every build runs in; it is not a deployment environment. */
const CI_ENVIRONMENT = 'ci';

/**
 * The kinds of name the platform validates, used in messages.
 * @public
 */
export type LubanNameKind = 'project' | 'app' | 'environment';

const LIMITS: Record<LubanNameKind, number> = {
  project: PROJECT_NAME_MAX_LENGTH,
  app: APP_NAME_MAX_LENGTH,
  environment: ENVIRONMENT_NAME_MAX_LENGTH,
};

const WHY_LIMIT: Record<LubanNameKind, string> = {
  project:
    "namespaces '<env>-<project>' and Argo CD application names are built from it",
  app: "kpack build pods '<app>-build-<n>-build-pod' and Argo CD application names are built from it",
  environment: "namespaces '<env>-<project>' are built from it",
};

/**
 * A human name for a code point, so that a message can show an invisible or
 * look-alike character (a non-breaking space, a Cyrillic 'а') unambiguously.
 */
function describeCharacter(char: string): string {
  const codePoint = char.codePointAt(0)!;
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  if (codePoint < 0x20 || codePoint === 0x7f) {
    return `the control character ${hex}`;
  }
  if (/\s/u.test(char)) {
    return `a space (${hex})`;
  }
  if (codePoint > 0x7e) {
    return `'${char}' (${hex}, not ASCII)`;
  }
  return `'${char}'`;
}

/**
 * Checks a project, app or environment name against the platform's rules and
 * returns a sentence saying what is wrong, or `undefined` when it is valid.
 *
 * The rules are those of a DNS-1035 label (lowercase ASCII letters, digits and
 * '-', starting with a letter, ending with a letter or digit) with a length
 * limit per kind that keeps every derived name valid.
 * @public
 */
export function findNameProblem(
  kind: LubanNameKind,
  value: unknown,
): string | undefined {
  const label = `The ${kind} name`;
  if (typeof value !== 'string') {
    return `${label} must be a string, got ${value === null ? 'null' : typeof value}.`;
  }
  if (value.length === 0) {
    return `${label} must not be empty.`;
  }
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  const chars = Array.from(value);
  const limit = LIMITS[kind];
  if (chars.length > limit) {
    return `${label} ${shown} is ${chars.length} characters long; the limit is ${limit}, because ${WHY_LIMIT[kind]}.`;
  }
  const badChar = chars.find(c => !/^[a-z0-9-]$/.test(c));
  if (badChar !== undefined) {
    if (/^[A-Z]$/.test(badChar)) {
      return `${label} ${shown} must be lowercase: use ${JSON.stringify(value.toLowerCase())}.`;
    }
    return `${label} ${shown} contains ${describeCharacter(badChar)}; use only lowercase letters a-z, digits 0-9 and '-'.`;
  }
  if (!/^[a-z]/.test(value)) {
    return `${label} ${shown} must start with a letter a-z.`;
  }
  if (value.endsWith('-')) {
    return `${label} ${shown} must end with a letter or a digit, not '-'.`;
  }
  if (kind === 'environment' && value === CI_ENVIRONMENT) {
    return `${label} 'ci' is reserved for the build namespace 'ci-<project>'.`;
  }
  return undefined;
}

/**
 * True when `value` is a valid name of the given kind.
 * @public
 */
export function isValidName(kind: LubanNameKind, value: unknown): value is string {
  return findNameProblem(kind, value) === undefined;
}

/**
 * The namespace a project's builds run in: `ci-<project>`.
 * @public
 */
export function ciNamespaceName(project: string): string {
  return `${CI_ENVIRONMENT}-${project}`;
}

/**
 * The namespace of a project in an environment, rendered from a pattern with
 * `{env}` and `{project}` placeholders (default `{env}-{project}`).
 * @public
 */
export function environmentNamespaceName(
  environment: string,
  project: string,
  pattern = '{env}-{project}',
): string {
  return pattern.replace(/\{env\}/g, environment).replace(/\{project\}/g, project);
}

/**
 * The Harbor project that holds a luban project's images.
 * @public
 */
export function harborProjectName(project: string): string {
  return project;
}

/**
 * The image repository of an app, without tag or digest:
 * `<registry host>/<project>/<app>`.
 * @public
 */
export function imageRepository(
  registryHost: string,
  project: string,
  app: string,
): string {
  return `${registryHost.replace(/^https?:\/\//, '').replace(/\/+$/, '')}/${harborProjectName(project)}/${app}`;
}

/**
 * The name of a project's GitOps repository.
 * @public
 */
export function gitopsRepositoryName(project: string): string {
  return `${project}-gitops`;
}

/**
 * Where an app lives inside the project's GitOps repository.
 * @public
 */
export function gitopsAppPath(app: string): string {
  return `apps/${app}`;
}

/**
 * Where an app's overlay of an environment lives in the project GitOps repository, by default.
 * @public
 */
export const DEFAULT_OVERLAY_PATH_PATTERN = 'apps/{app}/overlays/{env}/kustomization.yaml';

/**
 * The kustomize overlay file of an app in an environment.
 * @public
 */
export function gitopsOverlayPath(
  app: string,
  environment: string,
  pattern = DEFAULT_OVERLAY_PATH_PATTERN,
): string {
  return pattern.replace(/\{app\}/g, app).replace(/\{env\}/g, environment);
}

/**
 * The folder of an app's overlay in an environment: the path an Argo CD
 * Application's source points at. Derived from the same pattern as
 * {@link gitopsOverlayPath}, so Argo CD reads the folder luban writes.
 * @public
 */
export function gitopsOverlayDirectory(
  app: string,
  environment: string,
  pattern = DEFAULT_OVERLAY_PATH_PATTERN,
): string {
  const file = gitopsOverlayPath(app, environment, pattern);
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '.' : file.slice(0, slash);
}


/**
 * The events topic a git host delivers luban's push webhooks to, which is
 * also their path under Backstage's events endpoint:
 * `/api/events/http/luban-github` or `/api/events/http/luban-azure`.
 * @public
 */
export function webhookTopic(provider: 'github' | 'azure'): string {
  return `luban-${provider}`;
}

/**
 * The Argo CD AppProject of a luban project.
 * @public
 */
export function argoCdProjectName(project: string): string {
  return project;
}

/**
 * The Argo CD Application of an app in an environment.
 * @public
 */
export function argoCdApplicationName(
  environment: string,
  project: string,
  app: string,
): string {
  return `${environment}-${project}-${app}`;
}

/**
 * The kpack Image of an app (it lives in `ci-<project>`).
 * @public
 */
export function kpackImageName(app: string): string {
  return app;
}

/**
 * The branch a promotion pull request is opened from. One branch per app,
 * target environment and digest makes concurrent identical promotions
 * converge on one pull request.
 * @public
 */
export function promotionBranchName(
  app: string,
  environment: string,
  digest: string,
): string {
  return `luban/promote/${app}/${environment}/${shortDigest(digest)}`;
}

/**
 * Every name derived for a project, as shown to users before anything is created.
 * @public
 */
export interface LubanProjectNames {
  project: string;
  ciNamespace: string;
  environmentNamespaces: Record<string, string>;
  harborProject: string;
  gitopsRepository: string;
  argoCdProject: string;
}

/**
 * Derives every platform name of a project for the given environments.
 * The caller validates the inputs first (see {@link findNameProblem}).
 * @public
 */
export function deriveProjectNames(
  project: string,
  environments: ReadonlyArray<{ name: string; namespacePattern?: string }>,
): LubanProjectNames {
  return {
    project,
    ciNamespace: ciNamespaceName(project),
    environmentNamespaces: Object.fromEntries(
      environments.map(env => [
        env.name,
        environmentNamespaceName(env.name, project, env.namespacePattern),
      ]),
    ),
    harborProject: harborProjectName(project),
    gitopsRepository: gitopsRepositoryName(project),
    argoCdProject: argoCdProjectName(project),
  };
}

/**
 * The dockerconfigjson Secret that holds a project's Harbor robot account,
 * in every namespace that pulls or pushes its images.
 * @public
 */
export function imagePullSecretName(project: string): string {
  return `harbor-${project}`;
}

/**
 * The ServiceAccount kpack builds run as, in `ci-<project>`.
 * @public
 */
export const BUILDER_SERVICE_ACCOUNT = 'luban-builder';

/**
 * The ServiceAccount a project's apps run as, in each environment namespace.
 * @public
 */
export const APP_SERVICE_ACCOUNT = 'luban-app';
