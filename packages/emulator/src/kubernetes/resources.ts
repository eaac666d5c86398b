/**
 * The resource types the emulated API server serves, with the facts discovery
 * and the store need about each.
 */
export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Custom resources list their items with kind/apiVersion; built-in types do not. */
  custom: boolean;
  /** Whether `status` is a subresource (the main endpoint then ignores status changes). */
  statusSubresource: boolean;
  /** Names must be DNS-1123 labels (63 chars) rather than subdomains (253). */
  labelName?: boolean;
  /** Updates without `metadata.resourceVersion` are allowed (kube's AllowUnconditionalUpdate). */
  unconditionalUpdate: boolean;
  /** DELETE answers with the object (graceful deletion) instead of a Status. */
  deleteReturnsObject?: boolean;
  /** Extra subresources beyond status, for discovery (e.g. `log` on pods). */
  subresources?: Array<{ name: string; verbs: string[]; kind: string }>;
  categories?: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function core(
  kind: string,
  plural: string,
  options: Partial<ResourceType> = {},
): ResourceType {
  return {
    group: '',
    version: 'v1',
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    custom: false,
    statusSubresource: false,
    unconditionalUpdate: true,
    ...options,
  };
}

/** A built-in type of a named API group (apps, batch, ...). */
function builtIn(
  apiGroup: string,
  version: string,
  kind: string,
  plural: string,
  options: Partial<ResourceType> = {},
): ResourceType {
  return { ...core(kind, plural, { statusSubresource: true, ...options }), group: apiGroup, version };
}

function crd(
  group: string,
  version: string,
  kind: string,
  plural: string,
  options: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    custom: true,
    statusSubresource: true,
    unconditionalUpdate: false,
    ...options,
  };
}

/** Every resource type the emulator serves. */
export const RESOURCE_TYPES: ResourceType[] = [
  core('Namespace', 'namespaces', {
    namespaced: false,
    shortNames: ['ns'],
    labelName: true,
    statusSubresource: true,
    deleteReturnsObject: true,
  }),
  core('ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
  core('Secret', 'secrets'),
  core('ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  core('ResourceQuota', 'resourcequotas', { shortNames: ['quota'], statusSubresource: true }),
  core('LimitRange', 'limitranges', { shortNames: ['limits'] }),
  core('Pod', 'pods', {
    shortNames: ['po'],
    statusSubresource: true,
    deleteReturnsObject: true,
    subresources: [{ name: 'log', verbs: ['get'], kind: 'Pod' }],
  }),
  core('Event', 'events', { shortNames: ['ev'] }),
  core('Service', 'services', { shortNames: ['svc'], labelName: true, statusSubresource: true }),
  {
    ...core('Role', 'roles'),
    group: 'rbac.authorization.k8s.io',
  },
  {
    ...core('RoleBinding', 'rolebindings'),
    group: 'rbac.authorization.k8s.io',
  },
  builtIn('apps', 'v1', 'Deployment', 'deployments', { shortNames: ['deploy'] }),
  builtIn('apps', 'v1', 'ReplicaSet', 'replicasets', { shortNames: ['rs'] }),
  builtIn('apps', 'v1', 'StatefulSet', 'statefulsets', { shortNames: ['sts'] }),
  builtIn('apps', 'v1', 'DaemonSet', 'daemonsets', { shortNames: ['ds'] }),
  builtIn('batch', 'v1', 'Job', 'jobs'),
  builtIn('batch', 'v1', 'CronJob', 'cronjobs', { shortNames: ['cj'] }),
  builtIn('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', { shortNames: ['hpa'] }),
  builtIn('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', { namespaced: false, shortNames: ['sc'], statusSubresource: false }),
  builtIn('networking.k8s.io', 'v1', 'Ingress', 'ingresses', { shortNames: ['ing'] }),
  builtIn('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', { shortNames: ['netpol'], statusSubresource: false }),
  crd('gateway.networking.k8s.io', 'v1', 'HTTPRoute', 'httproutes', { categories: ['gateway-api'] }),
  crd('kpack.io', 'v1alpha2', 'Image', 'images', { shortNames: ['cnbimage', 'cnbimages'], categories: ['kpack'] }),
  crd('kpack.io', 'v1alpha2', 'Build', 'builds', { shortNames: ['cnbbuild', 'cnbbuilds', 'bld', 'blds'], categories: ['kpack'] }),
  // kpack's Image reconciler makes one per Image (`<image>-source`); its reconciler resolves the branch to a commit.
  crd('kpack.io', 'v1alpha2', 'SourceResolver', 'sourceresolvers', { categories: ['kpack'] }),
  crd('kpack.io', 'v1alpha2', 'ClusterBuilder', 'clusterbuilders', {
    namespaced: false,
    shortNames: ['clstbldr', 'clstbldrs'],
    categories: ['kpack'],
  }),
  // Argo CD's CRDs declare no status subresource: its controller writes status through the main endpoint.
  crd('argoproj.io', 'v1alpha1', 'Application', 'applications', {
    shortNames: ['app', 'apps'],
    statusSubresource: false,
  }),
  crd('argoproj.io', 'v1alpha1', 'AppProject', 'appprojects', {
    shortNames: ['appproj', 'appprojs'],
    statusSubresource: false,
  }),
];

/** `apiVersion` of a resource type: `v1` or `group/version`. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** Finds the type served at a group/version/plural, if any. */
export function findResourceType(
  group: string,
  version: string,
  plural: string,
): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    t => t.group === group && t.version === version && t.plural === plural,
  );
}

/** The `APIResourceList` of one group version, as `/api/v1` or `/apis/<g>/<v>` answers. */
export function apiResourceList(group: string, version: string) {
  const types = RESOURCE_TYPES.filter(t => t.group === group && t.version === version);
  const resources = types.flatMap(t => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      ...(t.categories ? { categories: t.categories } : {}),
    },
    ...(t.statusSubresource
      ? [
          {
            name: `${t.plural}/status`,
            singularName: '',
            namespaced: t.namespaced,
            kind: t.kind,
            verbs: ['get', 'patch', 'update'],
          },
        ]
      : []),
    ...(t.subresources ?? []).map(sub => ({
      name: `${t.plural}/${sub.name}`,
      singularName: '',
      namespaced: t.namespaced,
      kind: sub.kind,
      verbs: sub.verbs,
    })),
  ]);
  // The core group's list carries no apiVersion; the others do (as kube-apiserver writes them).
  return {
    kind: 'APIResourceList',
    ...(group ? { apiVersion: 'v1' } : {}),
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/** The non-core API groups and their versions. */
export function apiGroups() {
  const groups = new Map<string, Set<string>>();
  for (const t of RESOURCE_TYPES) {
    if (!t.group) continue;
    if (!groups.has(t.group)) groups.set(t.group, new Set());
    groups.get(t.group)!.add(t.version);
  }
  return [...groups.entries()].map(([name, versions]) => {
    const list = [...versions].map(v => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: list, preferredVersion: list[0] };
  });
}
