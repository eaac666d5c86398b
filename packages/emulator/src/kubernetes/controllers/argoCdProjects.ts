import type { KubeObject } from '../state';
import { typeOfObject } from './argoCdManifests';

/**
 * What an Argo CD AppProject admits, for the emulated controller. Modelled on
 * argo-cd `pkg/apis/application/v1alpha1/app_project_types.go` (IsSourcePermitted,
 * isDestinationMatched, IsGroupKindNamePermitted), `util/argo/argo.go`
 * (ValidatePermissions), `controller/sync.go` (validateSyncPermissions) and
 * `controller/appcontroller.go` (projectErrorToCondition).
 */

/** The API server of the cluster Argo CD runs in, as Argo CD names it. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
const IN_CLUSTER_NAME = 'in-cluster';

type GroupKind = { group?: string; kind?: string; name?: string };
type Destination = { server?: string; name?: string; namespace?: string };

/** An AppProject's spec, as far as the emulator enforces it. */
export interface AppProjectSpec {
  sourceRepos?: string[];
  destinations?: Destination[];
  clusterResourceWhitelist?: GroupKind[];
  clusterResourceBlacklist?: GroupKind[];
  namespaceResourceWhitelist?: GroupKind[];
  namespaceResourceBlacklist?: GroupKind[];
}

/** The project argocd-server creates on install when absent (argo-cd `server/server.go` initializeDefaultProject). */
const DEFAULT_PROJECT: AppProjectSpec = {
  sourceRepos: ['*'],
  destinations: [{ server: '*', namespace: '*' }],
  clusterResourceWhitelist: [{ group: '*', kind: '*' }],
};

/** An Argo CD condition on an Application. */
export interface ApplicationCondition {
  type: string;
  message: string;
}

function escapeRegExp(text: string) {
  return text.replace(/[.+^$()|\\]/g, '\\$&');
}

/**
 * gobwas/glob as Argo CD calls it: `*` stays within one `separator`-delimited
 * segment, `**` crosses them, `?` is one character, `{a,b}` either; `!` denies.
 */
function globMatch(pattern: string, value: string, separator?: string): boolean {
  if (pattern.startsWith('!')) return !globMatch(pattern.slice(1), value, separator);
  if (pattern === '*') return true;
  const notSeparator = separator ? `[^${escapeRegExp(separator)}]` : '.';
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += `${notSeparator}*`;
    else if (c === '?') source += notSeparator;
    else if (c === '{') source += '(?:';
    else if (c === '}') source += ')';
    else if (c === ',' && source.includes('(?:')) source += '|';
    else if (c === '[' || c === ']') source += c;
    else source += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${source}$`).test(value);
  } catch {
    return false;
  }
}

/** argo-cd `util/git/git.go` NormalizeGitURL: lower case, no `.git` suffix. */
function normalizeGitUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\.git$/, '');
}

function isSourcePermitted(spec: AppProjectSpec, repoURL: string): boolean {
  const source = normalizeGitUrl(repoURL);
  let matched = false;
  for (const repo of spec.sourceRepos ?? []) {
    const deny = repo.startsWith('!');
    const pattern = deny ? `!${normalizeGitUrl(repo.slice(1))}` : normalizeGitUrl(repo);
    if (globMatch(pattern, source, '/')) matched = true;
    else if (deny) return false;
  }
  return matched;
}

/** The destination cluster by server and name; the emulator has one cluster, Argo CD's own. */
function destinationCluster(destination: Destination): { server: string; name: string } {
  const server = destination.server ?? (destination.name === IN_CLUSTER_NAME ? IN_CLUSTER_SERVER : '');
  const name = destination.name ?? (server === IN_CLUSTER_SERVER ? IN_CLUSTER_NAME : '');
  return { server, name };
}

function isDestinationPermitted(spec: AppProjectSpec, destination: Destination, namespace: string): boolean {
  const dst = destinationCluster(destination);
  let matched = false;
  for (const item of spec.destinations ?? []) {
    const nameMatched = dst.name !== '' && globMatch(item.name ?? '', dst.name);
    const serverMatched = dst.server !== '' && globMatch(item.server ?? '', dst.server);
    const namespaceMatched = globMatch(item.namespace ?? '', namespace);
    if ((serverMatched || nameMatched) && namespaceMatched) matched = true;
    else if ((!nameMatched && item.name?.startsWith('!')) || (!serverMatched && item.server?.startsWith('!') && namespaceMatched)) return false;
    else if (!namespaceMatched && item.namespace?.startsWith('!') && serverMatched) return false;
  }
  return matched;
}

/** `filepath.Match` of group, kind and (for cluster-scoped items) name, as isResourceInList does. */
function inList(list: GroupKind[], group: string, kind: string, name?: string): boolean {
  return list.some(
    item =>
      globMatch(item.kind ?? '', kind, '/') &&
      globMatch(item.group ?? '', group, '/') &&
      (name === undefined || !item.name || globMatch(item.name, name, '/')),
  );
}

/**
 * IsGroupKindNamePermitted: a namespaced kind needs no whitelist unless one is
 * set (an empty one admits nothing); a cluster-scoped kind must be whitelisted.
 */
function isGroupKindPermitted(spec: AppProjectSpec, group: string, kind: string, name: string, namespaced: boolean): boolean {
  if (namespaced) {
    const white = spec.namespaceResourceWhitelist;
    const black = spec.namespaceResourceBlacklist ?? [];
    return (white === undefined || inList(white, group, kind)) && !inList(black, group, kind);
  }
  const white = spec.clusterResourceWhitelist ?? [];
  const black = spec.clusterResourceBlacklist ?? [];
  return inList(white, group, kind, name) && !inList(black, group, kind, name);
}

/** The project an Application names, from the Applications' namespace; undefined when it does not exist. */
export function projectOf(app: KubeObject, find: (name: string) => KubeObject | undefined): { name: string; spec?: AppProjectSpec } {
  const name = app.spec?.project || 'default';
  const project = find(name);
  if (project) return { name, spec: project.spec ?? {} };
  return { name, spec: name === 'default' ? DEFAULT_PROJECT : undefined };
}

/** ValidatePermissions (and a missing project): the InvalidSpecError conditions of an Application. */
export function specConditions(app: KubeObject, project: { name: string; spec?: AppProjectSpec }): ApplicationCondition[] {
  if (!project.spec) {
    return [{ type: 'InvalidSpecError', message: `Application referencing project ${project.name} which does not exist` }];
  }
  const conditions: ApplicationCondition[] = [];
  const repoURL: string = app.spec?.source?.repoURL ?? '';
  if (!isSourcePermitted(project.spec, repoURL)) {
    conditions.push({ type: 'InvalidSpecError', message: `application repo ${repoURL} is not permitted in project '${project.name}'` });
  }
  const destination: Destination = app.spec?.destination ?? {};
  const namespace = destination.namespace ?? '';
  if (!isDestinationPermitted(project.spec, destination, namespace)) {
    const cluster = destinationCluster(destination);
    const server = destination.name ? cluster.name : cluster.server;
    conditions.push({
      type: 'InvalidSpecError',
      message: `application destination server '${server}' and namespace '${namespace}' do not match any of the allowed destinations in project '${project.name}'`,
    });
  }
  return conditions;
}

/** validateSyncPermissions: why the project refuses one object of a sync, or undefined. */
function syncPermissionError(
  project: { name: string; spec: AppProjectSpec },
  destination: Destination,
  object: { group: string; kind: string; name: string; namespace?: string },
): string | undefined {
  const namespaced = object.namespace !== undefined;
  if (!isGroupKindPermitted(project.spec, object.group, object.kind, object.name, namespaced)) {
    return `resource ${object.group}:${object.kind} is not permitted in project ${project.name}`;
  }
  if (namespaced && !isDestinationPermitted(project.spec, destination, object.namespace!)) {
    return `namespace ${object.namespace} is not permitted in project '${project.name}'`;
  }
  return undefined;
}

/**
 * gitops-engine/pkg/sync/sync_context.go: every task of a sync is checked against the project
 * before any is applied; one refusal fails the whole sync with all the reasons.
 */
export function refusedTasks(app: KubeObject, objects: KubeObject[], project: { name: string; spec: AppProjectSpec }): string | undefined {
  const reasons = new Set<string>();
  for (const object of objects) {
    const type = typeOfObject(object);
    if (!type) continue; // reported as a missing kind when applied
    const namespace = type.namespaced ? object.metadata?.namespace ?? app.spec?.destination?.namespace ?? 'default' : undefined;
    const reason = syncPermissionError(project, app.spec?.destination ?? {}, { group: type.group, kind: type.kind, name: object.metadata.name, namespace });
    if (reason) reasons.add(reason);
  }
  return reasons.size ? `one or more synchronization tasks are not valid: ${[...reasons].sort().join('; ')}` : undefined;
}
