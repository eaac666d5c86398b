import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesObject } from '@kubernetes/client-node';
import { gitopsOverlayPath, promotionBranchName } from '@luban-backstage/plugin-luban-common';
import {
  BranchProtectedError,
  readOverlayImages,
  setOverlayImage,
  toKpackBuild,
  type GitProviders,
  type KpackBuild,
  type ResourceInformer,
} from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import { EntityTargets, type LubanTarget } from '../EntityTargets';

/** How a successful build reaches the first environment (`luban.gitops.autoDeploy`). */
export type AutoDeployMode = 'commit' | 'pull-request' | 'off';

const RETRY_MS = 5_000;
/** How long a succeeded Build waits for the catalog to know its app. */
const UNKNOWN_APP_PATIENCE_MS = 10 * 60_000;

/**
 * Writes the digest of every successful kpack Build into its app's first
 * environment overlay (snd), replacing the reference platform's workflow
 * step. Exactly once per Build, even with several backend replicas: the
 * edit is compare-and-set and idempotent by content (a replica that comes
 * second finds the digest there and commits nothing), and a Build older
 * than the one deployed never overwrites it.
 */
export class SndAutoDeployer {
  private readonly seen = new Set<string>();
  private stopped = false;

  constructor(
    private readonly options: {
      clusters: ClusterAccess;
      git: GitProviders;
      targets: Pick<EntityTargets, 'allTargets'>;
      gitopsBranch: string;
      mode: AutoDeployMode;
      logger: LoggerService;
      /** Told after each overlay change, for live updates. */
      onDeployed?: (target: LubanTarget, build: KpackBuild, url: string) => void;
    },
  ) {}

  /** Follows the builds of every named cluster; keeps trying while one is unreachable. */
  start(clusterNames: string[]) {
    if (this.options.mode === 'off') return;
    for (const name of clusterNames) this.follow(name);
  }

  stop() {
    this.stopped = true;
  }

  private follow(clusterName: string) {
    this.options.clusters
      .builds(clusterName)
      .then(informer => this.watch(clusterName, informer))
      .catch(error => {
        if (this.stopped) return;
        this.options.logger.warn(`luban auto-deploy cannot read the builds of cluster ${clusterName} yet: ${error}`);
        setTimeout(() => this.follow(clusterName), RETRY_MS).unref();
      });
  }

  private watch(clusterName: string, informer: ResourceInformer<KubernetesObject>) {
    // Builds that had succeeded before luban looked are not redeployed: a rollback may have replaced them on purpose.
    for (const object of informer.list()) {
      if (toKpackBuild(object as any).status === 'succeeded') this.seen.add(`${clusterName}/${object.metadata?.uid}`);
    }
    informer.onChange(({ type, object }) => {
      if (type === 'DELETED' || this.stopped) return;
      const build = toKpackBuild(object as any);
      const key = `${clusterName}/${object.metadata?.uid}`;
      if (build.status !== 'succeeded' || !build.latestImage || this.seen.has(key)) return;
      this.seen.add(key);
      this.deploy(clusterName, build, informer).catch(error =>
        this.options.logger.error(`luban could not deploy build ${build.namespace}/${build.name}: ${error}`),
      );
    });
  }

  /**
   * Deploys one succeeded build to the first environment of every app built
   * by its Image. A new app's first build can finish before the catalog has
   * ingested the app's entity (the template registers both at once), so a
   * build of an Image no entity names yet is retried for a while.
   */
  async deploy(
    clusterName: string,
    build: KpackBuild,
    informer: ResourceInformer<KubernetesObject>,
    waitingSince = Date.now(),
  ): Promise<void> {
    const targets = (await this.options.targets.allTargets()).filter(
      t =>
        t.image.namespace === build.namespace &&
        t.image.name === build.image &&
        this.options.clusters.cluster(t.cluster).name === clusterName &&
        t.gitopsRepo &&
        t.environments.length > 0,
    );
    if (targets.length === 0) {
      if (!this.stopped && Date.now() - waitingSince < UNKNOWN_APP_PATIENCE_MS) {
        setTimeout(
          () =>
            this.deploy(clusterName, build, informer, waitingSince).catch(error =>
              this.options.logger.error(`luban could not deploy build ${build.namespace}/${build.name}: ${error}`),
            ),
          RETRY_MS,
        ).unref();
      }
      return;
    }
    for (const target of targets) await this.deployTo(target, build, informer);
  }

  private async deployTo(target: LubanTarget, build: KpackBuild, informer: ResourceInformer<KubernetesObject>) {
    const { git, gitopsBranch, logger } = this.options;
    const repo = EntityTargets.requireGitopsRepo(target);
    const provider = git.forRepository(repo);
    const env = target.environments[0];
    const path = gitopsOverlayPath(target.app, env.name, env.overlayPathPattern);
    const [repository, digest] = build.latestImage!.split('@');
    const buildNumberOf = (deployedDigest?: string) =>
      informer
        .list(o => o.metadata?.namespace === build.namespace)
        .map(o => toKpackBuild(o as any))
        .find(b => b.image === build.image && b.latestImage?.endsWith(`@${deployedDigest}`))?.number;
    const edit = (current: string | undefined) => {
      if (current === undefined) return undefined;
      const deployed = readOverlayImages(current, path).find(i => i.name === target.app)?.digest;
      const deployedNumber = buildNumberOf(deployed);
      // A slower, older build finishing late must not replace a newer one.
      if (deployedNumber !== undefined && deployedNumber > build.number) return undefined;
      return setOverlayImage(current, { name: target.app, newName: repository, digest }, path).content;
    };
    const message = `Deploy ${target.app} build ${build.number} to ${env.name} (${digest.slice(7, 19)})\n\nkpack Build ${build.namespace}/${build.name}${build.revision ? ` of commit ${build.revision}` : ''}.`;

    let mode = this.options.mode;
    if (mode === 'commit') {
      try {
        const result = await provider.editFile(repo, { branch: gitopsBranch, path, message, edit });
        if (result.changed) {
          const url = provider.webUrlOfCommit(repo, result.commitSha!);
          logger.info(`luban deployed ${target.app} build ${build.number} to ${env.name}: ${url}`);
          this.options.onDeployed?.(target, build, url);
        }
        return;
      } catch (error) {
        if (!(error instanceof BranchProtectedError)) throw error;
        // The branch only takes pull requests.
        mode = 'pull-request';
      }
    }
    const head = await provider.getBranch(repo, gitopsBranch);
    if (!head) throw new Error(`The GitOps repository ${repo.webUrl} has no branch ${gitopsBranch}`);
    const branch = promotionBranchName(target.app, env.name, digest);
    await provider.ensureBranch(repo, branch, head);
    await provider.editFile(repo, { branch, path, message, edit });
    const pr = await provider.openOrReusePullRequest(repo, {
      head: branch,
      base: gitopsBranch,
      title: `Deploy ${target.app} build ${build.number} to ${env.name}`,
      body: message,
    });
    logger.info(`luban opened ${pr.webUrl} to deploy ${target.app} build ${build.number} to ${env.name}`);
    this.options.onDeployed?.(target, build, pr.webUrl);
  }
}
