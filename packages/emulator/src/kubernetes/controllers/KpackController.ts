import { createHash, randomBytes } from 'node:crypto';
import type { GitRepositories } from '../../git/GitRepositories';
import type { HarborApi } from '../../harbor/HarborApi';
import type { PodLogs } from '../podLogs';
import { findResourceType } from '../resources';
import type { KubeObject, KubeStore, StoreEvent } from '../state';
import { kubeTime } from '../time';
import { buildReasons } from './buildReasons';
import { buildStepLogs } from './kpackLogs';
import { pushToHarbor, registryPushProblem, repositoryOf, tagNameOf } from './kpackRegistry';
import { STACK_ID, builderOf, builderRunImage, imagesUsingBuilder, initStepsOf, stepStateOf } from './kpackRebase';
import { pruneBuildHistory } from './kpackBuildHistory';
import { SerialQueues } from '../../serialQueues';
import {
  DEFAULT_SOURCE_POLL_MS,
  SOURCE_RESOLVERS,
  SourceResolvers,
  ensureSourceResolver,
  isSourceResolverReady,
  resolvedSourceOf,
  sourceResolverNameOf,
} from './sourceResolver';
import { kpackFetchRefused } from './gitCredentials';

const IMAGES = findResourceType('kpack.io', 'v1alpha2', 'images')!;
const BUILDS = findResourceType('kpack.io', 'v1alpha2', 'builds')!;
const CLUSTER_BUILDERS = findResourceType('kpack.io', 'v1alpha2', 'clusterbuilders')!;
const PODS = findResourceType('', 'v1', 'pods')!;

/** The label and annotation keys kpack writes (kpack pkg/apis/build/v1alpha2). */
export const KPACK = {
  imageLabel: 'image.kpack.io/image',
  buildNumberLabel: 'image.kpack.io/buildNumber',
  imageGenerationLabel: 'image.kpack.io/imageGeneration',
  buildLabel: 'kpack.io/build',
  reasonAnnotation: 'image.kpack.io/reason',
  buildChangesAnnotation: 'image.kpack.io/buildChanges',
  builderNameAnnotation: 'image.kpack.io/builderName',
  builderKindAnnotation: 'image.kpack.io/builderKind',
  additionalBuildNeededAnnotation: 'image.kpack.io/additionalBuildNeeded',
} as const;

export { BUILD_STEPS } from './kpackRebase';

/** A repository file that makes the emulated build fail at its `build` step. */
export const FAIL_BUILD_FILE = 'FAIL_BUILD';

export interface KpackControllerOptions {
  store: KubeStore;
  git: GitRepositories;
  harbor: HarborApi;
  logs: PodLogs;
  /** Where the emulated Harbor is; images are pushed to its host. */
  harborUrl: string;
  /** Maps a git URL of an emulated host to a repository path, if it is one. */
  repositoryForUrl(url: string): string | undefined;
  /** How long each lifecycle step runs, in milliseconds (0: as fast as possible). */
  stepMs: number;
  /** How often a branch is resolved again, in milliseconds (default: kpack's one minute). */
  sourcePollMs?: number;
  /** Called after a build pushed an image to the registry. */
  onImagePushed?: () => void;
}

type Condition = { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; lastTransitionTime: string };

function condition(type: string, status: Condition['status'], reason?: string, message?: string): Condition {
  return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastTransitionTime: kubeTime() };
}

function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

function buildNumberOf(build: KubeObject): number {
  return Number(build.metadata.labels?.[KPACK.buildNumberLabel] ?? 0);
}

function isRunning(build: KubeObject): boolean {
  const succeeded = (build.status?.conditions ?? []).find((c: Condition) => c.type === 'Succeeded');
  return !succeeded || succeeded.status === 'Unknown';
}

/**
 * Emulates kpack's Image, SourceResolver and Build reconcilers: an Image
 * owns a SourceResolver that resolves its branch to a commit (when changed,
 * and on a poll); the Image gets a Build per config change, newly resolved
 * commit (COMMIT), or `additionalBuildNeeded` trigger (TRIGGER, of the
 * commit last resolved). A push alone builds nothing until the resolver
 * sees it. Each Build runs as a pod whose lifecycle steps write logs, then
 * pushes a digest to the emulated Harbor.
 */
export class KpackController {
  private readonly queues = new SerialQueues<string>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly sources: SourceResolvers;
  private stopped = false;
  private stepMs: number;

  constructor(private readonly options: KpackControllerOptions) {
    this.stepMs = options.stepMs;
    this.sources = new SourceResolvers({
      store: options.store,
      git: options.git,
      repositoryForUrl: options.repositoryForUrl,
      pollMs: options.sourcePollMs ?? DEFAULT_SOURCE_POLL_MS,
      enqueue: (key, work) => this.enqueue(key, work),
    });
    this.unsubscribe.push(options.store.subscribe(event => this.onStoreEvent(event)));
  }

  /** Changes how long each lifecycle step runs, for builds that start from now on. */
  setStepMs(ms: number) {
    this.stepMs = ms;
  }

  stop() {
    this.stopped = true;
    for (const off of this.unsubscribe) off();
    this.sources.cancelPolls();
  }

  /** Forgets pending source polls, for a store that was emptied. */
  reset() {
    this.sources.cancelPolls();
  }

  /** Whether no reconcile is queued or running. */
  isIdle(): boolean {
    return this.queues.isIdle();
  }

  /** Resolves when every queued reconcile has finished (for tests). */
  async idle(): Promise<void> {
    await this.queues.idle();
  }

  private enqueue(key: string, work: () => Promise<void>) {
    void this.queues.enqueue(key, () => (this.stopped ? undefined : work()));
  }

  private onStoreEvent(event: StoreEvent) {
    const { metadata } = event.object;
    if (event.resourceType === IMAGES) {
      if (event.type === 'DELETED') {
        this.enqueue(`${metadata.namespace}/${metadata.name}`, () => this.deleteOwnedBuilds(metadata.namespace!, metadata.name));
      } else {
        this.enqueueImage(metadata.namespace!, metadata.name);
      }
    } else if (event.resourceType === BUILDS && event.type === 'MODIFIED') {
      const image = metadata.labels?.[KPACK.imageLabel];
      if (image && metadata.annotations?.[KPACK.additionalBuildNeededAnnotation]) {
        this.enqueueImage(metadata.namespace!, image);
      }
    } else if (event.resourceType === SOURCE_RESOLVERS) {
      this.sources.onStoreEvent(event);
      // kpack image.go: any change of a resolver re-queues the Image that controls it.
      const owner = (metadata.ownerReferences ?? []).find(ref => ref.controller && ref.kind === 'Image');
      if (owner && event.type !== 'DELETED') this.enqueueImage(metadata.namespace!, String(owner.name));
    } else if (event.resourceType === CLUSTER_BUILDERS && event.type !== 'DELETED') {
      // kpack's Image reconciler tracks its builder: a new run image may need a STACK build.
      for (const image of imagesUsingBuilder(this.options.store, metadata.name)) this.enqueueImage(image.metadata.namespace!, image.metadata.name);
    }
  }

  private enqueueImage(namespace: string, name: string) {
    this.enqueue(`${namespace}/${name}`, () => this.reconcileImage(namespace, name));
  }

  private buildsOf(namespace: string, image: string): KubeObject[] {
    return this.options.store
      .list(BUILDS, namespace)
      .filter(b => b.metadata.labels?.[KPACK.imageLabel] === image)
      .sort((a, b) => buildNumberOf(a) - buildNumberOf(b));
  }

  private async deleteOwnedBuilds(namespace: string, image: string) {
    const resolver = this.options.store.find(SOURCE_RESOLVERS, namespace, sourceResolverNameOf(image));
    if (resolver) this.options.store.delete(SOURCE_RESOLVERS, namespace, resolver.metadata.name);
    for (const build of this.buildsOf(namespace, image)) {
      const pod = this.options.store.find(PODS, namespace, `${build.metadata.name}-build-pod`);
      if (pod) this.options.store.delete(PODS, namespace, pod.metadata.name);
      this.options.store.delete(BUILDS, namespace, build.metadata.name);
    }
  }

  private updateImageStatus(namespace: string, name: string, status: Record<string, unknown>) {
    const current = this.options.store.find(IMAGES, namespace, name);
    if (!current) return;
    this.options.store.update(IMAGES, namespace, name, { ...current, status: { ...current.status, ...status } }, { subresource: 'status' });
  }

  private async reconcileImage(namespace: string, name: string) {
    const { store } = this.options;
    const image = store.find(IMAGES, namespace, name);
    if (!image || image.metadata.deletionTimestamp) return;
    const builds = this.buildsOf(namespace, name);
    const latest = builds[builds.length - 1];
    if (latest && isRunning(latest)) {
      return; // kpack starts no build while one is running; the build's end re-queues the image
    }
    pruneBuildHistory(store, image, builds); // kpack image.go deleteOldBuilds
    const resolver = ensureSourceResolver(store, image);
    if (!isSourceResolverReady(resolver)) {
      // kpack reconcile_build.go `noScheduledBuild`: no build until the resolver has resolved the Image's source.
      const ready = (image.status?.conditions ?? []).find((c: Condition) => c.type === 'Ready');
      if (ready?.reason !== 'ResolverNotReady') {
        this.updateImageStatus(namespace, name, {
          observedGeneration: image.metadata.generation,
          conditions: [
            condition('Ready', 'Unknown', 'ResolverNotReady', `Error: SourceResolver '${resolver.metadata.name}' is not ready`),
            condition('BuilderReady', 'True'),
          ],
        });
      }
      return;
    }
    // Builds take the commit the resolver last resolved, never the branch's head of the moment (kpack image_builds.go `Build`).
    const source = { ...image.spec.source, ...resolvedSourceOf(resolver) };
    const runImage = builderRunImage(builderOf(store, image), image.spec.tag);
    const { reasons, changes } = buildReasons(image, latest, source.git.revision, runImage);
    if (reasons.length === 0) return;
    this.createBuild(image, builds, source, reasons, changes);
  }

  private createBuild(
    image: KubeObject,
    builds: KubeObject[],
    source: { git: { url: string; revision: string } },
    reasons: string[],
    changes: Array<Record<string, unknown>>,
  ) {
    const { store } = this.options;
    const { namespace, name } = image.metadata as { namespace: string; name: string };
    const latest = builds[builds.length - 1];
    const number = (image.status?.buildCounter ?? builds.length) + 1;
    const buildName = `${name}-build-${number}`;
    const builderName = image.spec?.builder?.name ?? 'default';
    const builder = builderOf(store, image);
    const now = new Date();
    const stamp = `${now.toISOString().slice(0, 10).replace(/-/g, '')}.${now.toISOString().slice(11, 19).replace(/:/g, '')}`;
    const tag: string = image.spec.tag;
    const build = store.create(BUILDS, namespace, {
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'Build',
      metadata: {
        name: buildName,
        labels: {
          ...image.metadata.labels,
          [KPACK.imageLabel]: name,
          [KPACK.buildNumberLabel]: String(number),
          [KPACK.imageGenerationLabel]: String(image.metadata.generation ?? 1),
        },
        annotations: {
          [KPACK.reasonAnnotation]: reasons.join(','),
          [KPACK.buildChangesAnnotation]: JSON.stringify(changes),
          [KPACK.builderNameAnnotation]: builderName,
          [KPACK.builderKindAnnotation]: image.spec?.builder?.kind ?? 'ClusterBuilder',
        },
        ownerReferences: [
          { apiVersion: 'kpack.io/v1alpha2', kind: 'Image', name, uid: image.metadata.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        tags: [
          tag,
          // kpack image_builds.go generateTags: `b<N>.<date>.<time>`, after `<tag>-` unless the tag is `latest`.
          ...(image.spec?.imageTaggingStrategy === 'None' ? [] : [`${repositoryOf(tag)}:${tagNameOf(tag) === 'latest' ? '' : `${tagNameOf(tag)}-`}b${number}.${stamp}`]),
          ...(image.spec?.additionalTags ?? []),
        ],
        builder: { image: builder?.status?.latestImage ?? `${repositoryOf(tag).split('/')[0]}/luban/builder@sha256:${'0'.repeat(64)}` },
        runImage: { image: builderRunImage(builder, tag) },
        serviceAccountName: image.spec?.serviceAccountName ?? 'default',
        source,
        cache: image.spec?.cache?.volume ? { volume: { persistentVolumeClaimName: `${name}-cache` } } : image.spec?.cache ?? {},
        env: image.spec?.build?.env ?? [],
        resources: image.spec?.build?.resources ?? {},
        services: image.spec?.build?.services ?? [],
        ...(latest?.status?.latestImage ? { lastBuild: { image: latest.status.latestImage, stackId: STACK_ID } } : {}),
      },
    });
    this.updateImageStatus(namespace, name, {
      observedGeneration: image.metadata.generation,
      buildCounter: number,
      latestBuildRef: buildName,
      latestBuildReason: reasons.join(','),
      latestBuildImageGeneration: image.metadata.generation,
      conditions: [
        condition('Ready', 'Unknown', undefined, `Build '${buildName}' is executing`),
        condition('BuilderReady', 'True'),
      ],
    });
    this.enqueue(`${namespace}/${buildName}`, () => this.runBuild(namespace, build));
  }

  private updateBuildStatus(namespace: string, name: string, status: Record<string, unknown>) {
    const current = this.options.store.find(BUILDS, namespace, name);
    if (!current) return undefined;
    return this.options.store.update(BUILDS, namespace, name, { ...current, status: { ...current.status, ...status } }, { subresource: 'status' });
  }

  private updatePodStatus(namespace: string, name: string, change: (status: any) => void) {
    const pod = this.options.store.find(PODS, namespace, name);
    if (!pod) return;
    const status = structuredClone(pod.status ?? {});
    change(status);
    this.options.store.update(PODS, namespace, name, { ...pod, status }, { subresource: 'status' });
  }

  private async runBuild(namespace: string, build: KubeObject) {
    const { store, logs, git } = this.options;
    const repository = this.options.repositoryForUrl(build.spec.source.git.url);
    const stepMs = this.stepMs;
    const buildName = build.metadata.name;
    const podName = `${buildName}-build-pod`;
    const imageName = build.metadata.labels![KPACK.imageLabel];
    const commit: string = build.spec.source.git.revision;
    const subPath: string = build.spec.source.subPath ?? '';
    const cloneProblem = (repository ? await kpackFetchRefused(store, git, repository, build) : undefined) ?? (await this.cloneProblem(repository, commit));
    const initSteps = initStepsOf(build);
    const willFail =
      !cloneProblem && Boolean(await git.readFile(repository!, commit, [subPath, FAIL_BUILD_FILE].filter(Boolean).join('/')));
    const beforePod = store.find(BUILDS, namespace, buildName);
    if (!beforePod || !isRunning(beforePod)) return; // cancelled while its source was checked
    const waiting = (name: string) => ({
      name,
      state: { waiting: { reason: 'PodInitializing' } },
      ready: false,
      restartCount: 0,
      image: build.spec.builder.image,
      imageID: '',
    });

    store.create(PODS, namespace, {
      metadata: {
        name: podName,
        labels: {
          [KPACK.imageLabel]: imageName,
          [KPACK.buildNumberLabel]: build.metadata.labels![KPACK.buildNumberLabel],
          [KPACK.buildLabel]: buildName,
        },
        ownerReferences: [{ apiVersion: 'kpack.io/v1alpha2', kind: 'Build', name: buildName, uid: build.metadata.uid, controller: true }],
      },
      spec: {
        serviceAccountName: build.spec.serviceAccountName,
        restartPolicy: 'Never',
        initContainers: initSteps.map(step => ({ name: step, image: build.spec.builder.image })),
        containers: [{ name: 'completion', image: build.spec.builder.image }],
      },
    });
    this.updatePodStatus(namespace, podName, status => {
      status.phase = 'Pending';
      status.initContainerStatuses = initSteps.map(waiting);
      status.containerStatuses = [waiting('completion')];
    });
    const stepStates = () => {
      const pod = store.find(PODS, namespace, podName);
      return [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])].map(
        stepStateOf,
      );
    };
    this.updateBuildStatus(namespace, buildName, {
      podName,
      conditions: [condition('Succeeded', 'Unknown', 'PodInitializing')],
      stepStates: stepStates(),
      stepsCompleted: [],
    });

    const digest = createHash('sha256').update(`${buildName}/${commit}/${randomBytes(8).toString('hex')}`).digest('hex');
    const repo = repositoryOf(build.spec.tags[0]);
    const context = { build, commit, digest, repo, reasons: build.metadata.annotations?.[KPACK.reasonAnnotation] ?? '' };
    const completed: string[] = [];
    let failedStep: string | undefined;

    // Deleted, or finished by someone else with its pod deleted (luban's cancel): kpack's Build
    // reconciler leaves a finished Build alone (pkg/reconciler/build/build.go), and nothing runs without the pod.
    const abandoned = () => {
      const current = store.find(BUILDS, namespace, buildName);
      return this.stopped || !current || !isRunning(current) || !store.find(PODS, namespace, podName);
    };
    for (const [index, step] of [...initSteps, 'completion' as const].entries()) {
      if (abandoned()) return;
      const isInit = index < initSteps.length;
      const startedAt = kubeTime();
      this.updatePodStatus(namespace, podName, status => {
        status.phase = isInit ? 'Pending' : 'Running';
        const list = isInit ? status.initContainerStatuses : status.containerStatuses;
        list[isInit ? index : 0] = { ...list[isInit ? index : 0], imageID: build.spec.builder.image, state: { running: { startedAt } } };
      });
      this.updateBuildStatus(namespace, buildName, {
        conditions: [condition('Succeeded', 'Unknown', isInit ? 'PodInitializing' : undefined)],
        stepStates: stepStates(),
      });
      const pushProblem = step === 'export' || step === 'rebase' ? registryPushProblem(build, this.options.harbor, this.options.harborUrl) : undefined;
      const cloneFails = step === 'prepare' && cloneProblem !== undefined;
      const fails = (willFail && step === 'build') || pushProblem !== undefined || cloneFails;
      let lines = buildStepLogs(step, context, fails);
      if (pushProblem) lines = [lines[0], `ERROR: failed to export: ${pushProblem}`];
      // kpack's build-init fetches the revision itself (pkg/git/fetch.go) and stops at the first error.
      if (cloneFails) lines = [...buildStepLogs(step, context, false).slice(0, -1), cloneProblem];
      const [head, ...rest] = lines;
      logs.write(namespace, podName, step, head);
      if (stepMs > 0) await sleep(stepMs);
      if (rest.length) logs.write(namespace, podName, step, rest.join('\n'));
      logs.finish(namespace, podName, step);
      const exitCode = fails ? 1 : 0;
      this.updatePodStatus(namespace, podName, status => {
        const list = isInit ? status.initContainerStatuses : status.containerStatuses;
        list[isInit ? index : 0] = {
          ...list[isInit ? index : 0],
          state: { terminated: { exitCode, reason: fails ? 'Error' : 'Completed', startedAt, finishedAt: kubeTime() } },
        };
        if (fails) status.phase = 'Failed';
        else if (!isInit) status.phase = 'Succeeded';
      });
      if (fails) {
        failedStep = step;
        break;
      }
      completed.push(step);
    }

    if (abandoned()) return;
    const latestImage = `${repo}@sha256:${digest}`;
    if (failedStep) {
      this.updateBuildStatus(namespace, buildName, {
        conditions: [condition('Succeeded', 'False', 'Failed', `Build failed: step "${failedStep}" exited with code 1`)],
        stepStates: stepStates(),
        stepsCompleted: completed,
      });
      this.updateImageStatus(namespace, imageName, {
        conditions: [condition('Ready', 'False', 'BuildFailed', `Build '${buildName}' failed`), condition('BuilderReady', 'True')],
      });
    } else {
      pushToHarbor(build, this.options.harbor, digest);
      this.options.onImagePushed?.();
      this.updateBuildStatus(namespace, buildName, {
        conditions: [condition('Succeeded', 'True', 'Completed')],
        stepStates: stepStates(),
        stepsCompleted: completed,
        latestImage,
        latestCacheImage: '',
        buildMetadata: [{ id: 'luban-ci/python-uv', version: '0.0.43', homepage: 'https://github.com/metasync/luban-ci' }],
        stack: { id: STACK_ID, runImage: build.spec.runImage.image },
        lifecycleVersion: '0.20.11',
      });
      this.updateImageStatus(namespace, imageName, {
        latestImage,
        latestStack: STACK_ID,
        conditions: [condition('Ready', 'True', 'UpToDate'), condition('BuilderReady', 'True')],
      });
    }
    // A commit or trigger may have arrived while this build ran.
    this.enqueueImage(namespace, imageName);
  }

  /** Why the build pod could not fetch the commit (as kpack pkg/git/fetch.go words it), or undefined when it can. */
  private async cloneProblem(repository: string | undefined, revision: string): Promise<string | undefined> {
    if (!repository || !(await this.options.git.exists(repository))) {
      return 'unable to fetch references for repository: repository not found';
    }
    if (!(await this.options.git.resolve(repository, revision))) {
      return `unable to fetch references for repository: couldn't find remote ref "${revision}"`;
    }
    return undefined;
  }
}
