import type { KubernetesObject } from '@kubernetes/client-node';
import { KPACK } from '@luban-backstage/plugin-luban-node';
import { TAG_ENV } from '../builds/ReleaseBuilds';

/** Labels every object of a preview carries, so that its pull request's close finds them all. */
export const PREVIEW_LABELS = { of: 'luban.dev/preview-of', pullRequest: 'luban.dev/pull-request', project: 'luban.dev/project' } as const;
/** Argo CD deletes an Application's resources (Deployment, Service, HTTPRoute) with it. */
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** What names one preview: the app and its pull request. */
export interface PreviewRef {
  project: string;
  app: string;
  number: number;
}

/** `<app>-pr-<n>`: the kpack Image and, in the environment's namespace, the Deployment, Service and HTTPRoute. */
export function previewName(ref: PreviewRef): string {
  return `${ref.app}-pr-${ref.number}`;
}

export function previewLabels(ref: PreviewRef): Record<string, string> {
  return { [PREVIEW_LABELS.of]: ref.app, [PREVIEW_LABELS.pullRequest]: String(ref.number), [PREVIEW_LABELS.project]: ref.project };
}

/**
 * Whether an object is this preview's, by its labels: a preview's name
 * (`<app>-pr-<n>`) may also be a real app's (an app named `web-pr-1`), which
 * luban must neither overwrite nor delete.
 */
export function isPreviewObject(object: { metadata?: { labels?: Record<string, string> } } | undefined, ref: PreviewRef): boolean {
  return Object.entries(previewLabels(ref)).every(([key, value]) => object?.metadata?.labels?.[key] === value);
}

/** The repository of an image tag (`host:5000/p/app:latest` → `host:5000/p/app`). */
export function repositoryOfTag(tag: string): string {
  const at = tag.indexOf('@');
  const withoutDigest = at >= 0 ? tag.slice(0, at) : tag;
  const colon = withoutDigest.indexOf(':', withoutDigest.lastIndexOf('/') + 1);
  return colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest;
}

/**
 * The preview's kpack Image: the app's Image with its source pinned to the
 * pull request's head commit (of the repository the app's Image builds) and
 * its own tag in the same image repository; none of the app's release tags
 * or release build settings (a release may hold the app's Image meanwhile:
 * a pull request's code never lands under a release tag). An
 * Image, not a lone Build: kpack rebuilds an Image when its revision changes
 * (the pull request's next commit), keeps its Builds' history, and deletes
 * them with it (they are owned by it) — a Build would leave each of those to luban.
 */
export function previewImage(ref: PreviewRef, app: { namespace: string; spec: any }, source: { headSha: string }) {
  const repository = repositoryOfTag(String(app.spec?.tag ?? ''));
  const { additionalTags: _releaseTags, build, ...spec } = app.spec ?? {};
  const env = Array.isArray(build?.env) ? build.env.filter((e: { name?: string }) => e?.name !== TAG_ENV) : undefined;
  return {
    apiVersion: KPACK.apiVersion,
    kind: 'Image',
    metadata: { name: previewName(ref), namespace: app.namespace, labels: previewLabels(ref) },
    spec: {
      ...spec,
      ...(build ? { build: { ...build, ...(env ? { env } : {}) } } : {}),
      tag: `${repository}:pr-${ref.number}`,
      source: { ...spec.source, git: { ...spec.source?.git, revision: source.headSha } },
    },
  };
}

/**
 * The preview's Argo CD Application: the first environment's Application
 * (same AppProject, GitOps repository, overlay and destination) with
 * kustomize overrides (argo-cd ApplicationSourceKustomize), so that no
 * GitOps commit is made per preview: the image pinned to the preview's
 * digest, every name suffixed `-pr-<n>`, its own selector label (the app's
 * Service must not send traffic to the preview's pods) and its own host.
 */
export function previewApplication(
  ref: PreviewRef,
  environmentApp: KubernetesObject & { spec?: any },
  image: { repository: string; digest: string },
  hostname: string | undefined,
) {
  const name = previewName(ref);
  const routePatch = hostname
    ? [
        {
          target: { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
          patch: JSON.stringify([
            { op: 'replace', path: '/spec/hostnames', value: [hostname] },
            { op: 'replace', path: '/spec/rules/0/backendRefs/0/name', value: name },
          ]),
        },
      ]
    : [];
  const { source = {}, destination, project } = environmentApp.spec ?? {};
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${environmentApp.metadata?.name}-pr-${ref.number}`,
      namespace: environmentApp.metadata?.namespace,
      labels: previewLabels(ref),
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project,
      destination,
      source: {
        ...source,
        kustomize: {
          nameSuffix: `-pr-${ref.number}`,
          images: [`${ref.app}=${image.repository}@${image.digest}`],
          commonLabels: { 'app.kubernetes.io/name': name },
          ...(routePatch.length ? { patches: routePatch } : {}),
        },
      },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
}

/** The text of luban's comment on the pull request, by the preview's state. */
export function previewComment(
  state: { kind: 'building'; sha: string } | { kind: 'ready'; sha: string; address?: string; digest: string } | { kind: 'failed'; sha: string } | { kind: 'removed' },
): string {
  switch (state.kind) {
    case 'building':
      return `**Preview**: building ${state.sha.slice(0, 7)}…`;
    case 'ready':
      return `**Preview** of ${state.sha.slice(0, 7)}: ${state.address ?? '(no address: luban.gateway.domainSuffix or hostnamePattern is not set)'}\n\nImage digest \`${state.digest}\``;
    case 'failed':
      return `**Preview**: the build of ${state.sha.slice(0, 7)} failed; the preview, if any, still runs the previous commit.`;
    default:
      return '**Preview**: removed, the pull request is closed.';
  }
}
