import { KPACK_GIT_SECRET } from './gitReadSecrets';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  APP_SERVICE_ACCOUNT,
  BUILDER_SERVICE_ACCOUNT,
  LUBAN_LABELS,
  LUBAN_MANAGED_BY,
  imagePullSecretName,
} from '@luban-backstage/plugin-luban-common';
import { projectRecordAnnotations, type NamespaceDefaults } from '@luban-backstage/plugin-luban-node';

/** One namespace to provision and what the owner group may do in it. */
export interface NamespacePlan {
  name: string;
  environment: string;
  /** ClusterRole bound to the owner group: edit where the team works, view elsewhere. */
  ownerRole: 'edit' | 'view';
  serviceAccount: string;
  /** The cluster it is on. */
  cluster: string;
}

/** Every object of one project namespace, in the order they are applied. */
export function namespaceObjects(options: {
  project: string;
  owner: string;
  plan: NamespacePlan;
  defaults: NamespaceDefaults;
  quota?: Record<string, string>;
}) {
  const { project, owner, plan, defaults } = options;
  const ownerRef = parseEntityRef(owner, { defaultKind: 'group', defaultNamespace: 'default' });
  const group = defaults.groupPattern
    .replace(/\{name\}/g, ownerRef.name)
    .replace(/\{namespace\}/g, ownerRef.namespace);
  const labels = {
    [LUBAN_LABELS.project]: project,
    [LUBAN_LABELS.environment]: plan.environment,
    [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY,
  };
  const metadata = (name: string) => ({ name, namespace: plan.name, labels });
  const pullSecret = imagePullSecretName(project);
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: plan.name,
        labels: {
          ...labels,
          [LUBAN_LABELS.owner]: ownerRef.name,
          'pod-security.kubernetes.io/enforce': defaults.podSecurity,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': defaults.podSecurity,
          'pod-security.kubernetes.io/warn': defaults.podSecurity,
        },
        annotations: {
          'luban.dev/owner-entity': `group:${ownerRef.namespace}/${ownerRef.name}`,
          // The ci- namespace holds the project record: who owns the project, as luban wrote it.
          ...(plan.environment === 'ci' ? projectRecordAnnotations({ owner }) : {}),
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: metadata('luban-quota'),
      spec: { hard: { ...defaults.quota, ...options.quota } },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: metadata('luban-limits'),
      spec: {
        limits: [
          {
            type: 'Container',
            default: defaults.containerDefaults.limits,
            defaultRequest: defaults.containerDefaults.requests,
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(plan.serviceAccount),
      // kpack pushes with the secrets listed here; pods pull with imagePullSecrets.
      // kpack also clones with them: the git Secret luban:kpack:image writes (a private source repository needs it).
      ...(plan.serviceAccount === BUILDER_SERVICE_ACCOUNT ? { secrets: [{ name: pullSecret }, { name: KPACK_GIT_SECRET }] } : {}),
      imagePullSecrets: [{ name: pullSecret }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(`luban-owner-${plan.ownerRole}`),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: plan.ownerRole },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
    },
  ];
}

/** The namespaces of a project: ci first, then each environment. */
export function namespacePlans(
  ci: { name: string; cluster: string },
  environments: Array<{ name: string; namespace: string; cluster: string }>,
): NamespacePlan[] {
  return [
    { ...ci, environment: 'ci', ownerRole: 'view', serviceAccount: BUILDER_SERVICE_ACCOUNT },
    ...environments.map((env, index) => ({
      name: env.namespace,
      environment: env.name,
      cluster: env.cluster,
      // The team works in the first environment; later ones change only by promotion.
      ownerRole: (index === 0 ? 'edit' : 'view') as 'edit' | 'view',
      serviceAccount: APP_SERVICE_ACCOUNT,
    })),
  ];
}
