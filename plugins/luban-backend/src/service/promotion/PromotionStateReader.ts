import {
  argoCdApplicationName,
  gitopsOverlayPath,
  harborProjectName,
  type LubanEnvironment,
  type LubanEnvironmentState,
  type LubanPromotionState,
  type LubanVulnerabilities,
} from '@luban-backstage/plugin-luban-common';
import {
  imageReference,
  isBuildOfImage,
  readOverlayImages,
  requiredApprovalsOfBranch,
  toArgoCdApplication,
  toKpackBuild,
  type GitFile,
  type GitProvider,
  type GitProviders,
  type HarborClient,
  type KpackBuild,
  type OpenPullRequestSummary,
  type OverlayImage,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import { isPending, toLubanVulnerabilities } from '../builds/HarborScans';
import { EntityTargets, type LubanTarget } from '../EntityTargets';
import { AppAddresses } from './AppAddresses';
import { pullRequestReview, rolloutState } from './approvals';
import { CHANGE_BRANCH_PREFIX, parseChangeBranch, type ChangeBranch } from './changeBranches';

/** A finished scan does not change for a digest; a rescan after new CVE data is seen within minutes. */
const FINISHED_SCAN_TTL_MS = 5 * 60_000;
/** An unscanned digest is usually being scanned: look again soon. */
const PENDING_SCAN_TTL_MS = 20_000;
/** Bounded caches: a thousand apps in three environments keep 3,000 entries of each. */
const MAX_CACHED = 20_000;

/** The state of an environment's Argo CD Application. */
export type ArgoCdState = NonNullable<LubanEnvironmentState['argoCd']>;

/** An environment's overlay as read at a ref. */
export interface OverlayRead {
  path: string;
  file?: GitFile;
  /** The entry named after the app. */
  image?: OverlayImage;
}

/** An open pull request of luban's, with the change its branch names. */
export interface OpenChange extends OpenPullRequestSummary {
  change: ChangeBranch;
}

/** What the state reader reads from. */
export interface PromotionSources {
  clusters: ClusterAccess;
  git: GitProviders;
  harbor?: HarborClient;
  gitopsBranch: string;
  argoCdNamespace: string;
  /** Argo CD's web UI, for links; optional. */
  argoCdBaseUrl?: string;
}

/**
 * What runs in each environment: read from the kustomize overlays (one
 * conditional request per environment when nothing changed), Argo CD's
 * Applications on each environment's cluster, the app's kpack Builds and
 * Harbor's scans — everything else from informer caches and small
 * in-process caches.
 */
export class PromotionStateReader {
  private readonly scans = new Map<string, { value: LubanVulnerabilities; expiresAt: number }>();
  /** Last commit touching an overlay, by the branch head it was read at: commits never change. */
  private readonly overlayDates = new Map<string, string | undefined>();
  /** The newest commit each overlay's date was read at, to carry it over moves of the branch that left the overlay alone. */
  private readonly overlayDateHeads = new Map<string, { commitSha: string; date: string | undefined }>();
  private readonly addresses: AppAddresses;

  constructor(private readonly options: PromotionSources) {
    this.addresses = new AppAddresses(options.git);
  }

  async getState(target: LubanTarget): Promise<LubanPromotionState> {
    const repo = EntityTargets.requireGitopsRepo(target);
    const provider = this.options.git.forRepository(repo);
    let builds: KpackBuild[] = [];
    let buildProblem: string | undefined;
    try {
      builds = await this.kpackBuilds(target);
    } catch (error) {
      buildProblem = `The builds could not be read: ${(error as Error).message}`;
    }
    // Read once for all environments; a failure is each environment's problem, not the view's.
    const changes = this.openChanges(repo).then(
      value => ({ value, problem: undefined }),
      (error: Error) => ({ value: [] as OpenChange[], problem: error.message }),
    );
    const states = await Promise.all(
      target.environments.map(env => this.environmentState(target, repo, provider, env, builds, buildProblem, changes)),
    );
    for (const state of states) {
      const source = states.find(s => s.name === state.promotesFrom);
      if (source?.digest && state.digest !== undefined) state.behindSource = source.digest !== state.digest;
      else if (source?.digest) state.behindSource = true;
    }
    return { gitopsRepo: repo.webUrl, environments: states };
  }

  private async environmentState(
    target: LubanTarget,
    repo: RepoLocation,
    provider: GitProvider,
    env: LubanEnvironment,
    builds: KpackBuild[],
    buildProblem: string | undefined,
    changes: Promise<{ value: OpenChange[]; problem?: string }>,
  ): Promise<LubanEnvironmentState> {
    const branch = this.options.gitopsBranch;
    const path = gitopsOverlayPath(target.app, env.name, env.overlayPathPattern);
    const state: LubanEnvironmentState = {
      name: env.name,
      promotesFrom: env.promotesFrom,
      overlayPath: path,
      overlayUrl: provider.webUrlOfFile(repo, path, branch),
    };
    const problems: string[] = [];
    const attempt = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    let overlay: OverlayRead | undefined;
    await Promise.all([
      attempt('The overlay could not be read', async () => {
        overlay = await this.overlayState(target, repo, env, { state, problems, attempt, builds, buildProblem });
      }),
      attempt('Argo CD could not be read', async () => {
        state.argoCd = await this.argoCdState(target, env);
        if (!state.argoCd) problems.push(`There is no Argo CD application ${argoCdApplicationName(env.name, target.project, target.app)}`);
      }),
      attempt('The open pull request could not be read', async () => {
        const { value, problem } = await changes;
        if (problem) throw new Error(problem);
        const open = value.find(c => c.change.app === target.app && c.change.env === env.name);
        if (!open) return;
        state.pullRequest = { number: open.number, url: open.webUrl, title: open.title, kind: open.change.kind };
        // The host enforces the branch's count, the most any environment asks: one branch holds every overlay.
        state.pullRequest.review = await pullRequestReview(provider, repo, open, requiredApprovalsOfBranch(target.environments));
      }),
    ]);
    const deployed = overlay?.file && (state.digest || state.tag) ? { path: overlay.path, file: overlay.file } : undefined;
    if (deployed) {
      await attempt('Whether Argo CD runs the overlay could not be read', async () => {
        state.rollout = await rolloutState(provider, repo, deployed, state.argoCd);
      });
    }
    if (problems.length) state.problems = problems;
    return state;
  }

  /** The overlay's part of an environment's state: the image, its build, since when it runs and its scan. */
  private async overlayState(
    target: LubanTarget,
    repo: RepoLocation,
    env: LubanEnvironment,
    into: {
      state: LubanEnvironmentState;
      problems: string[];
      attempt: (what: string, work: () => Promise<void>) => Promise<void>;
      builds: KpackBuild[];
      buildProblem?: string;
    },
  ): Promise<OverlayRead> {
    const { state, problems, attempt } = into;
    const branch = this.options.gitopsBranch;
    const overlay = await this.readOverlay(target, repo, env, branch);
    if (!overlay.file) {
      problems.push(`${overlay.path} does not exist on ${branch}: ${target.app} is not deployed to ${env.name}`);
      return overlay;
    }
    if (!overlay.image) {
      problems.push(`${overlay.path} has no image '${target.app}' under images:`);
      return overlay;
    }
    state.image = imageReference(overlay.image);
    state.digest = overlay.image.digest;
    state.tag = overlay.image.newTag;
    if (state.digest) {
      const build = into.builds.find(b => b.digest === state.digest);
      if (build) state.build = this.buildSummary(target, build);
      else if (into.buildProblem) problems.push(into.buildProblem);
    }
    await Promise.all([
      attempt("The app's route could not be read", async () => {
        state.url = await this.addresses.of(repo, overlay.path, overlay.file!, branch);
      }),
      attempt('When the overlay changed could not be read', async () => {
        state.deployedAt = await this.lastChange(repo, overlay.path, overlay.file!);
      }),
      state.digest
        ? attempt('The vulnerability scan could not be read', async () => {
            state.vulnerabilities = await this.vulnerabilities(target, state.digest!, { fresh: false });
          })
        : Promise.resolve(),
    ]);
    return overlay;
  }

  /** An environment's overlay at a ref, with the app's image entry. */
  async readOverlay(target: LubanTarget, repo: RepoLocation, env: LubanEnvironment, ref: string): Promise<OverlayRead> {
    const path = gitopsOverlayPath(target.app, env.name, env.overlayPathPattern);
    const file = await this.options.git.forRepository(repo).readFile(repo, path, ref);
    const image = file ? readOverlayImages(file.content, path).find(i => i.name === target.app) : undefined;
    return { path, file, image };
  }

  /**
   * The open pull requests of luban's changes in a GitOps repository, newest
   * first, read from the git host by their branch names: what every replica
   * sees, before and after a restart.
   */
  async openChanges(repo: RepoLocation): Promise<OpenChange[]> {
    const pulls = await this.options.git
      .forRepository(repo)
      .listOpenPullRequests(repo, { headPrefix: CHANGE_BRANCH_PREFIX, base: this.options.gitopsBranch });
    const changes: OpenChange[] = [];
    for (const pull of pulls) {
      const change = parseChangeBranch(pull.head);
      if (change) changes.push({ ...pull, change });
    }
    return changes.sort((a, b) => b.number - a.number);
  }

  /** The date of the last commit that touched the overlay, cached by the commit the branch was read at. */
  async lastChange(repo: RepoLocation, path: string, file: GitFile) {
    const provider = this.options.git.forRepository(repo);
    const key = JSON.stringify([repo.webUrl, path, file.commitSha]);
    if (this.overlayDates.has(key)) return this.overlayDates.get(key);
    const fileKey = JSON.stringify([repo.webUrl, path]);
    const previous = this.overlayDateHeads.get(fileKey);
    let unchangedSincePrevious = false;
    if (previous && file.commitSha && previous.commitSha !== file.commitSha && provider.changedPaths) {
      // One answer per move of the branch serves every overlay no commit since touched.
      const changed = await provider.changedPaths(repo, previous.commitSha, file.commitSha);
      unchangedSincePrevious = Boolean(changed && !changed.has(path));
    }
    const date = unchangedSincePrevious
      ? previous!.date
      : (await provider.fileHistory(repo, path, file.commitSha || this.options.gitopsBranch, 1))[0]?.date;
    if (this.overlayDates.size > MAX_CACHED) this.overlayDates.clear();
    if (this.overlayDateHeads.size > MAX_CACHED) this.overlayDateHeads.clear();
    this.overlayDates.set(key, date);
    if (file.commitSha) this.overlayDateHeads.set(fileKey, { commitSha: file.commitSha, date });
    return date;
  }

  /** The app's kpack Builds, newest first (kpack Images and Builds live on the target's cluster). */
  async kpackBuilds(target: LubanTarget): Promise<KpackBuild[]> {
    const informer = await this.options.clusters.builds(target.cluster);
    return informer
      .list(object => isBuildOfImage(object, target.image))
      .map(object => toKpackBuild(object))
      .sort((a, b) => b.number - a.number);
  }

  private buildSummary(target: LubanTarget, build: KpackBuild): NonNullable<LubanEnvironmentState['build']> {
    return {
      name: build.name,
      number: build.number,
      revision: build.revision,
      commitUrl: this.commitUrl(target, build.revision),
      finishedAt: build.finishedAt,
    };
  }

  /** The web page of a commit of the app's source repository. */
  commitUrl(target: LubanTarget, sha?: string) {
    if (!sha || !target.sourceRepo) return undefined;
    return this.options.git.forRepository(target.sourceRepo).webUrlOfCommit(target.sourceRepo, sha);
  }

  /** The environment's Argo CD Application, read on the environment's cluster. */
  async argoCdState(target: LubanTarget, env: LubanEnvironment): Promise<ArgoCdState | undefined> {
    return (await this.argoCdApplication(target, env))?.state;
  }

  /** The environment's Argo CD application as the view shows it, and the images Argo CD reports running. */
  async argoCdApplication(target: LubanTarget, env: LubanEnvironment): Promise<{ state: ArgoCdState; images: string[] } | undefined> {
    const name = argoCdApplicationName(env.name, target.project, target.app);
    const namespace = this.options.argoCdNamespace;
    const informer = await this.options.clusters.applications(env.cluster);
    const [object] = informer.list(o => o.metadata?.name === name && o.metadata?.namespace === namespace);
    if (!object) return undefined;
    const app = toArgoCdApplication(object);
    const baseUrl = this.options.argoCdBaseUrl?.replace(/\/+$/, '');
    const state: ArgoCdState = {
      application: name,
      syncStatus: app.syncStatus,
      healthStatus: app.healthStatus,
      revision: app.revision,
      lastSyncedAt: app.lastSyncedAt,
      automated: app.automated,
      ...(app.operation ? { operation: app.operation } : {}),
      url: baseUrl ? `${baseUrl}/applications/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}` : undefined,
    };
    return { state, images: app.images };
  }

  /** Harbor's scan of a digest; views take it from a short cache, gates read it again. */
  async vulnerabilities(target: LubanTarget, digest: string, options: { fresh: boolean }): Promise<LubanVulnerabilities | undefined> {
    const key = JSON.stringify([harborProjectName(target.project), target.app, digest]);
    const cached = this.scans.get(key);
    if (!options.fresh && cached && cached.expiresAt > Date.now()) return cached.value;
    return (await this.harborArtifact(target, digest))?.vulnerabilities;
  }

  /**
   * Harbor's artifact of a digest in the app's repository, read now: its scan
   * (which refreshes the views' cache), the tags it carries and whether it has
   * an SBOM. undefined without Harbor; `found` is false and `tags` empty when
   * Harbor does not hold the digest.
   */
  async harborArtifact(
    target: LubanTarget,
    digest: string,
  ): Promise<{ vulnerabilities: LubanVulnerabilities; tags: string[]; hasSbom: boolean; found: boolean } | undefined> {
    const harbor = this.options.harbor;
    if (!harbor) return undefined;
    const project = harborProjectName(target.project);
    const artifact = await harbor.getArtifact(project, target.app, digest);
    // Counts, where the scan stands, the SBOM and Harbor's page of the artifact, as the build page shows them.
    const value = toLubanVulnerabilities(harbor, target.app, artifact);
    if (this.scans.size > MAX_CACHED) this.scans.clear();
    const key = JSON.stringify([project, target.app, digest]);
    this.scans.set(key, { value, expiresAt: Date.now() + (isPending(value) ? PENDING_SCAN_TTL_MS : FINISHED_SCAN_TTL_MS) });
    return { vulnerabilities: value, tags: artifact?.tags ?? [], hasSbom: artifact?.hasSbom ?? false, found: Boolean(artifact) };
  }
}
