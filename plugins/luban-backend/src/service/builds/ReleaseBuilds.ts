import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesObject } from '@kubernetes/client-node';
import { LUBAN_RELEASE_TAG_LABEL } from '@luban-backstage/plugin-luban-common';
import { KPACK, isBuildOfImage, toKpackBuild } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { LubanTarget } from '../EntityTargets';

/**
 * The build env luban-ci's kpack template sets in tag mode (`CI_TAG_UPDATE=<tag>`): a change of the Image's
 * build env is a CONFIG change to kpack (pkg/buildchange/config_change.go), so a commit already built from
 * the branch is built again, now with the release tag. It stays on the Image after the release build: taking
 * it away would be a CONFIG change too, and build the branch once more for nothing.
 */
export const TAG_ENV = 'CI_TAG_UPDATE';
/** The Image's branch while it builds a tagged commit, so that it can be given back. */
const RELEASE_OF_BRANCH_ANNOTATION = 'luban.dev/release-of-branch';
/** When a release borrowed the Image: one borrowed far longer than {@link START_PATIENCE_MS} ago was forgotten. */
const RELEASE_SINCE_ANNOTATION = 'luban.dev/release-since';
/** How long luban waits for kpack to start the release build (one running build is waited out first). */
const START_PATIENCE_MS = 30 * 60_000;

/** A kpack Image as far as a release reads it. */
export interface KpackImageObject extends KubernetesObject {
  spec?: {
    tag?: string;
    additionalTags?: string[];
    source?: { git?: { revision?: string } };
    build?: { env?: Array<{ name: string; value?: string }> };
  };
}

/**
 * Builds the commit of a pushed version tag with kpack, as the reference
 * platform's tag mode does (luban-ci `luban-ci-kpack-template`): the app's
 * Image is pointed at the commit, with the additional image tag `<repo>:1.2.3`
 * and the release label (kpack copies both onto the Build it creates); once
 * kpack has created that Build, the Image is given back its branch and tags.
 * The Build is one of the Image's, so auto-deploy and promotion take it as
 * any other; its label makes it a release candidate.
 */
export class ReleaseBuilds {
  /** One release at a time per Image: each one borrows the Image's source. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: { clusters: ClusterAccess; logger: LoggerService }) {}

  private static keyOf(target: LubanTarget) {
    return `${target.cluster ?? ''}/${target.image.namespace}/${target.image.name}`;
  }

  /** The patch that gives an Image back its branch and its tags but the release's. */
  private static givingBack(branch: string | undefined, additionalTags: string[]) {
    return {
      metadata: {
        labels: { [LUBAN_RELEASE_TAG_LABEL]: null },
        annotations: { [RELEASE_OF_BRANCH_ANNOTATION]: null, [RELEASE_SINCE_ANNOTATION]: null },
      },
      spec: { source: { git: { revision: branch } }, additionalTags: additionalTags.length ? additionalTags : null },
    };
  }

  /**
   * Gives an Image back the branch a release borrowed and never gave back
   * (the backend that borrowed it stopped before kpack created the build, longer
   * ago than a release build may wait to start); the branch, or undefined for an
   * Image that follows its branch or whose release is under way.
   */
  async giveBackForgotten(target: LubanTarget, image: KpackImageObject): Promise<string | undefined> {
    const annotations = image.metadata?.annotations ?? {};
    const branch = annotations[RELEASE_OF_BRANCH_ANNOTATION];
    const since = Date.parse(annotations[RELEASE_SINCE_ANNOTATION] ?? '');
    if (!branch || this.queues.has(ReleaseBuilds.keyOf(target)) || !(Date.now() - since > START_PATIENCE_MS)) return undefined;
    const tag = image.metadata?.labels?.[LUBAN_RELEASE_TAG_LABEL];
    const repository = (image.spec?.tag ?? '').replace(/:[^/:]*$/, '');
    const additionalTags = (image.spec?.additionalTags ?? []).filter(t => t !== `${repository}:${tag}`);
    const { namespace, name } = target.image;
    const ref = { apiVersion: KPACK.apiVersion, kind: 'Image', metadata: { namespace, name } };
    await this.options.clusters.gateway(target.cluster).mergePatch(ref, ReleaseBuilds.givingBack(branch, additionalTags));
    this.options.logger.warn('luban gave a kpack Image back the branch a release had borrowed and not given back', {
      image: `${namespace}/${name}`,
      tag,
      branch,
      borrowedAt: annotations[RELEASE_SINCE_ANNOTATION],
    });
    return branch;
  }

  /** Builds `commit` as release `tag` of the target's Image; resolves once kpack has created the Build (or gave up). */
  build(target: LubanTarget, release: { tag: string; commit: string }): Promise<void> {
    const key = ReleaseBuilds.keyOf(target);
    const run = (this.queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.buildNow(target, release));
    this.queues.set(key, run);
    return run.finally(() => {
      if (this.queues.get(key) === run) this.queues.delete(key);
    });
  }

  private async buildNow(target: LubanTarget, { tag, commit }: { tag: string; commit: string }) {
    const { clusters, logger } = this.options;
    const { namespace, name } = target.image;
    const gateway = clusters.gateway(target.cluster);
    const ref = { apiVersion: KPACK.apiVersion, kind: 'Image', metadata: { namespace, name } };
    const image = await gateway.get<KpackImageObject>(ref);
    const about = { image: `${namespace}/${name}`, tag, commit };
    if (!image?.spec?.tag) {
      logger.warn('luban found no kpack Image to build a release tag with', about);
      return;
    }
    const informer = await clusters.builds(target.cluster);
    const isRelease = (o: KubernetesObject) => isBuildOfImage(o, target.image) && toKpackBuild(o).releaseTag === tag;
    if (informer.list(isRelease).length > 0) {
      logger.info('luban found the release already built', about);
      return;
    }
    const spec = image.spec;
    const branch = image.metadata?.annotations?.[RELEASE_OF_BRANCH_ANNOTATION] ?? spec.source?.git?.revision;
    const repository = spec.tag!.replace(/:[^/:]*$/, '');
    const additionalTags = (spec.additionalTags ?? []).filter(t => t !== `${repository}:${tag}`);
    const started = new Promise<boolean>(resolve => {
      const stops: Array<() => void> = [];
      const settle = (built: boolean) => {
        for (const stop of stops) stop();
        resolve(built);
      };
      const timer = setTimeout(() => settle(false), START_PATIENCE_MS).unref();
      stops.push(() => clearTimeout(timer));
      stops.push(informer.onChange(({ object }) => isRelease(object) && settle(true)));
    });
    await gateway.mergePatch(ref, {
      metadata: {
        labels: { [LUBAN_RELEASE_TAG_LABEL]: tag },
        annotations: { [RELEASE_OF_BRANCH_ANNOTATION]: branch, [RELEASE_SINCE_ANNOTATION]: new Date().toISOString() },
      },
      spec: {
        source: { git: { revision: commit } },
        additionalTags: [...additionalTags, `${repository}:${tag}`],
        build: { env: [...(spec.build?.env ?? []).filter(e => e.name !== TAG_ENV), { name: TAG_ENV, value: tag }] },
      },
    });
    logger.info('luban asked kpack to build a release tag', about);
    const built = await started;
    // Given back even when kpack did not start the build in time: the branch's pushes must build again.
    await gateway.mergePatch(ref, ReleaseBuilds.givingBack(branch, additionalTags));
    if (built) logger.info('kpack started the release build; the Image follows its branch again', { ...about, branch });
    else logger.warn('kpack did not start the release build in time; the Image follows its branch again', { ...about, branch });
  }
}
