import { findResourceType } from '../kubernetes/resources';
import type { RunningEmulator } from '../server';
import { backdateSeededBuilds } from './buildHistory';
import { baseManifests, overlay, overlayPath, pythonModuleOf, sourceFiles, type DemoProject } from './files';

/** What sets one demo project's history apart from another's. */
export interface DemoStory {
  /** What the app is, for its source repository's description, e.g. "The ledger API". */
  readonly summary: string;
  /** The developer's commit after onboarding, which starts the second build. */
  readonly change: {
    readonly message: string;
    /** A file of the app's Python package, e.g. `balance.py`. */
    readonly file: string;
    readonly content: string;
    readonly author: { readonly name: string; readonly email: string };
  };
}

/** The ClusterBuilder every demo Image builds with; {@link seedSharedObjects} creates it. */
const BUILDER = 'luban-builder';
const IN_CLUSTER = 'https://kubernetes.default.svc';

function labelsOf({ project }: DemoProject) {
  return { 'luban.dev/project': project, 'app.kubernetes.io/managed-by': 'luban-backstage' };
}

const gitopsName = ({ project }: DemoProject) => `${project}-gitops`;

/** Where luban's push webhook delivers, and the secret it signs with: the demo's source repositories get it. */
export interface LubanWebhook {
  /** e.g. `http://localhost:7007/api/events/http/luban-github` */
  url: string;
  secret: string;
}

/**
 * Makes kpack resolve an Image's branch now, as luban's push handler does:
 * any change of the Image's SourceResolver, here an annotation, is resolved
 * at once instead of at the next poll.
 */
function resolveSourceNow(emulator: RunningEmulator, namespace: string, image: string): void {
  const type = findResourceType('kpack.io', 'v1alpha2', 'sourceresolvers')!;
  const resolver = emulator.kubernetes.store.find(type, namespace, `${image}-source`);
  if (!resolver) return;
  const annotations = { ...resolver.metadata.annotations, 'luban.dev/source-resolve-requested': new Date().toISOString() };
  emulator.kubernetes.store.update(type, namespace, resolver.metadata.name, { ...resolver, metadata: { ...resolver.metadata, annotations } });
}

/** Registers luban's webhook (pushes and pull requests) on a repository of the emulated GitHub, as the scaffolder's webhook action does. */
async function registerPushWebhook(emulator: RunningEmulator, repository: string, webhook: LubanWebhook): Promise<void> {
  const response = await fetch(`${emulator.github.apiBaseUrl}/repos/${repository}/hooks`, {
    method: 'POST',
    headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ config: { url: webhook.url, secret: webhook.secret, content_type: 'json' }, events: ['push', 'pull_request'] }),
  });
  if (response.status !== 201) throw new Error(`the push webhook of ${repository} was not registered: ${response.status}`);
}

/**
 * Protects the project's GitOps branch as onboarding does
 * (luban-node's github/branchProtection.ts): one approving review for pull
 * requests into main, enforced for administrators too, and luban's own user
 * in bypass_pull_request_allowances so that its auto-deploy still commits
 * the first environment's overlay directly. Through the API, as onboarding
 * asks it, after the seed's own commits.
 */
export async function protectGitOpsBranch(emulator: RunningEmulator, spec: DemoProject): Promise<void> {
  const repository = `${spec.project}/${gitopsName(spec)}`;
  const headers = { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' };
  const user = (await (await fetch(`${emulator.github.apiBaseUrl}/user`, { headers })).json()) as { login: string };
  const response = await fetch(`${emulator.github.apiBaseUrl}/repos/${repository}/branches/main/protection`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({
      required_status_checks: null,
      enforce_admins: true,
      required_pull_request_reviews: {
        required_approving_review_count: 1,
        bypass_pull_request_allowances: { users: [user.login], teams: [], apps: [] },
      },
      restrictions: null,
    }),
  });
  if (response.status !== 200) throw new Error(`the main branch of ${repository} was not protected: ${response.status}`);
}

/** The cluster objects all demo projects share: Argo CD's namespace and the ClusterBuilder. */
export function seedSharedObjects(emulator: RunningEmulator): void {
  const registry = new URL(emulator.harbor.url).host;
  emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
  emulator.kubernetes.create('clusterbuilders', {
    apiVersion: 'kpack.io/v1alpha2',
    kind: 'ClusterBuilder',
    metadata: { name: BUILDER },
    spec: { tag: `${registry}/luban/builder`, order: [{ group: [{ id: 'luban-ci/python-uv' }] }] },
  });
}

/**
 * Loads one demo project as luban leaves it after onboarding and a while of
 * work: namespaces with the project record, Harbor project, source and GitOps
 * repositories, a kpack Image with two builds, and Argo CD applications where
 * prd runs the first build and snd the second (so prd is one promotion behind).
 * With `webhook`, the source and GitOps repositories deliver their later pushes to luban.
 * Needs {@link seedSharedObjects} first.
 */
export async function seedProject(emulator: RunningEmulator, spec: DemoProject, story: DemoStory, webhook?: LubanWebhook): Promise<void> {
  const sourceCloneUrl = await onboard(emulator, spec, story);
  const [first, second] = await buildTwice(emulator, spec, story, sourceCloneUrl);
  // Built in milliseconds here: given the times of real runs, so their steps do not read "0 s".
  backdateSeededBuilds(emulator, `ci-${spec.project}`, spec.app);
  await writeGitOps(emulator, spec, first, second);
  createApplications(emulator, spec);
  // After the seed's own pushes: the backend is not up yet to receive them.
  if (webhook) {
    await registerPushWebhook(emulator, `${spec.project}/${spec.app}`, webhook);
    // As onboarding registers it: a merged promotion pull request reaches luban, which has Argo CD read it now.
    await registerPushWebhook(emulator, `${spec.project}/${spec.project}-gitops`, webhook);
  }
  await emulator.settled();
}

/** What onboarding creates: namespaces (the ci one carries the project record), Harbor project, repositories. */
async function onboard(emulator: RunningEmulator, spec: DemoProject, story: DemoStory): Promise<string> {
  const { project, app, owner } = spec;
  // The project record luban writes at onboarding (luban-common's LUBAN_PROJECT_RECORD_ANNOTATIONS):
  // who owns the project, and which GitOps repository and Harbor project are its own.
  const record = {
    'luban.dev/owner': `group:default/${owner}`,
    'luban.dev/gitops-repository': `${emulator.github.url}/${project}/${gitopsName(spec)}`,
    'luban.dev/harbor-project': project,
  };
  for (const env of ['ci', 'snd', 'prd']) {
    emulator.kubernetes.create('namespaces', {
      metadata: {
        name: `${env}-${project}`,
        labels: { ...labelsOf(spec), 'luban.dev/environment': env, 'pod-security.kubernetes.io/enforce': 'restricted' },
        ...(env === 'ci' ? { annotations: record } : {}),
      },
    });
  }
  emulator.harbor.api.createProject(project, { auto_scan: 'true', severity: 'critical' });
  // Private, as the templates create them: kpack and Argo CD read them with the Secrets below.
  const source = await emulator.github.api.createRepository(project, app, {
    private: true,
    files: sourceFiles(spec),
    description: `${story.summary} of the ${project} project`,
  });
  await emulator.github.api.createRepository(project, gitopsName(spec), {
    private: true,
    files: { 'README.md': `# ${project} GitOps\n` },
    description: `What runs where, for the ${project} project`,
  });
  grantReadAccess(emulator, spec);
  return source.clone_url;
}

/**
 * The read credentials luban's actions write (scaffolder module provisioning/gitReadSecrets.ts):
 * kpack's basic-auth Secret `luban-git` annotated with the git host, listed on the builder
 * service account, and Argo CD's repository Secret for the GitOps repository, scoped to the project.
 */
function grantReadAccess(emulator: RunningEmulator, spec: DemoProject): void {
  const { project } = spec;
  const base64 = (value: string) => Buffer.from(value).toString('base64');
  const credential = { username: base64('x-access-token'), password: base64(emulator.token) };
  const github = new URL(emulator.github.url);
  const labels = labelsOf(spec);
  emulator.kubernetes.create('secrets', {
    metadata: { name: 'luban-git', namespace: `ci-${project}`, labels, annotations: { 'kpack.io/git': `${github.protocol}//${github.host}` } },
    type: 'kubernetes.io/basic-auth',
    data: credential,
  });
  emulator.kubernetes.create('serviceaccounts', {
    metadata: { name: 'luban-builder', namespace: `ci-${project}`, labels },
    secrets: [{ name: `harbor-${project}` }, { name: 'luban-git' }],
    imagePullSecrets: [{ name: `harbor-${project}` }],
  });
  emulator.kubernetes.create('secrets', {
    metadata: { name: `luban-repo-${project}-gitops`, namespace: 'argocd', labels: { ...labels, 'argocd.argoproj.io/secret-type': 'repository' } },
    type: 'Opaque',
    data: { type: base64('git'), url: base64(`${emulator.github.url}/${project}/${gitopsName(spec)}.git`), project: base64(project), ...credential },
  });
}

/** Creates the app's Image (its first build) and pushes the story's change (its second); returns both images, oldest first. */
async function buildTwice(emulator: RunningEmulator, spec: DemoProject, story: DemoStory, cloneUrl: string): Promise<[string, string]> {
  const { project, app } = spec;
  const registry = new URL(emulator.harbor.url).host;
  emulator.kubernetes.create('images', {
    apiVersion: 'kpack.io/v1alpha2',
    kind: 'Image',
    metadata: { name: app, namespace: `ci-${project}`, labels: { ...labelsOf(spec), 'luban.dev/app': app } },
    spec: {
      tag: `${registry}/${project}/${app}:latest`,
      serviceAccountName: 'luban-builder',
      builder: { kind: 'ClusterBuilder', name: BUILDER },
      source: { git: { url: cloneUrl, revision: 'main' } },
      imageTaggingStrategy: 'BuildNumber',
    },
  });
  await emulator.settled();
  const { change } = story;
  await emulator.git.commit(`github/${project}/${app}.git`, {
    branch: 'main',
    message: change.message,
    changes: [{ path: `src/${pythonModuleOf(app)}/${change.file}`, content: change.content }],
    author: change.author,
  });
  // Built at once, as luban's push webhook makes it, rather than at kpack's next poll.
  resolveSourceNow(emulator, `ci-${project}`, app);
  await emulator.settled();
  const buildNumber = (build: { metadata: { labels?: Record<string, string> } }) => Number(build.metadata.labels?.['image.kpack.io/buildNumber']);
  const images = emulator.kubernetes
    .list('builds', `ci-${project}`)
    .filter(build => build.metadata.labels?.['image.kpack.io/image'] === app)
    .sort((a, b) => buildNumber(a) - buildNumber(b))
    .map(build => build.status?.latestImage as string);
  return [images[0], images[1]];
}

/** The GitOps history luban writes: add the app on snd, promote it to prd, deploy the second build to snd. */
async function writeGitOps(emulator: RunningEmulator, spec: DemoProject, first: string, second: string): Promise<void> {
  const { project, app } = spec;
  const gitops = `github/${project}/${gitopsName(spec)}.git`;
  const step = async (message: string, files: Record<string, string>) => {
    const head = await emulator.git.resolve(gitops, 'main');
    await emulator.git.commit(gitops, {
      branch: 'main',
      expectedSha: head,
      message,
      changes: Object.entries(files).map(([path, content]) => ({ path, content })),
      author: { name: 'luban', email: 'luban@luban.invalid' },
    });
  };
  await step(`Add ${app}`, { ...baseManifests(spec), [overlayPath(app, 'snd')]: overlay(spec, 'snd', first) });
  await step(`Promote ${app} to prd (${first.split('@')[1].slice(7, 19)})`, { [overlayPath(app, 'prd')]: overlay(spec, 'prd', first) });
  await step(`Deploy ${app} build 2 to snd`, { [overlayPath(app, 'snd')]: overlay(spec, 'snd', second) });
}

/** The project's AppProject and its app's snd (automated) and prd (synced by hand, once now) Applications. */
function createApplications(emulator: RunningEmulator, spec: DemoProject): void {
  const { project, app } = spec;
  const gitopsUrl = `${emulator.github.url}/${project}/${gitopsName(spec)}.git`;
  emulator.kubernetes.create('appprojects', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: project, namespace: 'argocd', labels: labelsOf(spec) },
    spec: {
      sourceRepos: [gitopsUrl],
      destinations: ['snd', 'prd'].map(env => ({ server: IN_CLUSTER, namespace: `${env}-${project}` })),
      clusterResourceWhitelist: [],
    },
  });
  for (const env of ['snd', 'prd']) {
    emulator.kubernetes.create('applications', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${env}-${project}-${app}`,
        namespace: 'argocd',
        labels: { ...labelsOf(spec), 'luban.dev/app': app, 'luban.dev/environment': env },
      },
      spec: {
        project,
        source: { repoURL: gitopsUrl, path: `apps/${app}/overlays/${env}`, targetRevision: 'main' },
        destination: { server: IN_CLUSTER, namespace: `${env}-${project}` },
        syncPolicy: env === 'snd' ? { automated: { prune: true, selfHeal: true } } : {},
      },
      // prd is synced by hand: this sync operation runs now.
      ...(env === 'prd' ? { operation: { sync: { revision: 'main' }, initiatedBy: { username: 'guest' } } } : {}),
    });
  }
}
