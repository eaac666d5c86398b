import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  argoCdApplicationName,
  gitopsOverlayPath,
  harborProjectName,
  promotionBranchName,
  type LubanChangeResult,
  type LubanDeployment,
  type LubanEnvironment,
  type LubanEnvironmentState,
  type LubanPromoteRequest,
  type LubanPromotionState,
  type LubanRollbackRequest,
  type LubanVulnerabilities,
} from '@luban-backstage/plugin-luban-common';
import {
  KPACK,
  imageReference,
  readOverlayImages,
  setOverlayImage,
  toArgoCdApplication,
  toKpackBuild,
  type GitFile,
  type GitProvider,
  type GitProviders,
  type HarborClient,
  type KpackBuild,
  type OverlayImage,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import { EntityTargets, type LubanTarget } from '../EntityTargets';
import type { Actor, BuildService, PromotionService } from '../types';
import { evaluateGates } from './gates';
import { unifiedDiff } from './unifiedDiff';

/** A finished scan does not change for a digest; a rescan after new CVE data is seen within minutes. */
const FINISHED_SCAN_TTL_MS = 5 * 60_000;
/** An unscanned digest is usually being scanned: look again soon. */
const PENDING_SCAN_TTL_MS = 20_000;
/** How often the state of a pull request luban opened is re-read (merged or closed ones then disappear). */
const PULL_REQUEST_REFRESH_MS = 2 * 60_000;
/** How many overlay commits history reads. */
const HISTORY_LIMIT = 30;

const DIGEST_OF_IMAGE = /@(sha256:[a-f0-9]{64})$/;

type ArgoCdState = NonNullable<LubanEnvironmentState['argoCd']>;

interface RememberedPullRequest {
  number: number;
  url: string;
  title: string;
  checkedAt: number;
}

interface OverlayRead {
  path: string;
  file?: GitFile;
  /** The entry named after the app. */
  image?: OverlayImage;
}

const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** Runs one write per key at a time in this process; concurrent identical requests join the running one. */
class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const running = this.running.get(key);
    if (running) return { promise: running, joined: true };
    const promise = work().finally(() => this.running.delete(key));
    this.running.set(key, promise);
    return { promise, joined: false };
  }
}

/**
 * Promotion through the GitOps repository: what runs where is read from the
 * kustomize overlays (one conditional request per environment when nothing
 * changed; everything else comes from informer caches and small in-process
 * caches), and every change is a pull request that edits only the target
 * overlay on a branch named after the app, environment and digest, so that
 * identical requests converge on one branch and one pull request.
 */
export class GitOpsPromotionService implements PromotionService {
  private readonly scans = new Map<string, { value: LubanVulnerabilities; expiresAt: number }>();
  /** Last commit touching an overlay, by the branch head it was read at: commits never change. */
  private readonly overlayDates = new Map<string, string | undefined>();
  /** The newest commit each overlay's date was read at, to carry it over moves of the branch that left the overlay alone. */
  private readonly overlayDateHeads = new Map<string, { commitSha: string; date: string | undefined }>();
  /** The app's digest in an overlay at a commit. */
  private readonly digestsAtCommit = new Map<string, string | undefined>();
  /**
   * Pull requests luban opened, by repository and environment. The provider
   * interface has no listing, and a listing per view would cost a request
   * each time: luban shows the ones it opened, re-read every few minutes.
   */
  private readonly pullRequests = new Map<string, RememberedPullRequest>();
  private readonly writes = new SingleFlight<{ number: number; url: string; reused: boolean }>();

  constructor(
    readonly options: {
      clusters: ClusterAccess;
      git: GitProviders;
      harbor?: HarborClient;
      builds: BuildService;
      gitopsBranch: string;
      argoCdNamespace: string;
      /** Argo CD's web UI, for links; optional. */
      argoCdBaseUrl?: string;
      logger: LoggerService;
    },
  ) {}

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
    const states = await Promise.all(
      target.environments.map(env => this.environmentState(target, repo, provider, env, builds, buildProblem)),
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

    await Promise.all([
      attempt('The overlay could not be read', async () => {
        const overlay = await this.readOverlay(target, repo, provider, env, branch);
        if (!overlay.file) {
          problems.push(`${path} does not exist on ${branch}: ${target.app} is not deployed to ${env.name}`);
          return;
        }
        if (!overlay.image) {
          problems.push(`${path} has no image '${target.app}' under images:`);
          return;
        }
        state.image = imageReference(overlay.image);
        state.digest = overlay.image.digest;
        state.tag = overlay.image.newTag;
        if (state.digest) {
          const build = builds.find(b => digestOfBuild(b) === state.digest);
          if (build) state.build = this.buildSummary(target, build);
          else if (buildProblem) problems.push(buildProblem);
        }
        await Promise.all([
          attempt('When the overlay changed could not be read', async () => {
            state.deployedAt = await this.lastChange(repo, provider, path, branch, overlay.file!);
          }),
          state.digest
            ? attempt('The vulnerability scan could not be read', async () => {
                state.vulnerabilities = await this.vulnerabilities(target, state.digest!, { fresh: false });
              })
            : Promise.resolve(),
        ]);
      }),
      attempt('Argo CD could not be read', async () => {
        state.argoCd = await this.argoCdState(target, env);
        if (!state.argoCd) problems.push(`There is no Argo CD application ${argoCdApplicationName(env.name, target.project, target.app)}`);
      }),
      attempt('The open pull request could not be read', async () => {
        state.pullRequest = await this.openPullRequest(repo, provider, env.name);
      }),
    ]);
    if (problems.length) state.problems = problems;
    return state;
  }

  async promote(target: LubanTarget, request: LubanPromoteRequest, actor: Actor): Promise<LubanChangeResult> {
    const to = this.environment(target, request.to);
    if (!to.promotesFrom) {
      throw new InputError(`${to.name} is the first environment: nothing is promoted into it; it deploys new builds`);
    }
    if (to.promotesFrom !== request.from) {
      throw new InputError(`${to.name} is promoted from ${to.promotesFrom}, not from ${request.from}`);
    }
    const from = this.environment(target, request.from);
    const repo = EntityTargets.requireGitopsRepo(target);
    const provider = this.options.git.forRepository(repo);
    const branch = this.options.gitopsBranch;
    const [source, current, builds] = await Promise.all([
      this.readOverlay(target, repo, provider, from, branch),
      this.readOverlay(target, repo, provider, to, branch),
      this.kpackBuilds(target),
    ]);
    const digest = source.image?.digest;
    if (!digest) {
      throw new ConflictError(`${from.name} runs no image of ${target.app} by digest (${source.path}), so there is nothing to promote`);
    }

    // Gates decide on fresh data: the scan is read again, not taken from the view's cache.
    const sourceBuild = builds.find(b => digestOfBuild(b) === digest);
    const [argoCd, scan, runningSince] = await Promise.all([
      this.argoCdState(target, from),
      this.vulnerabilities(target, digest, { fresh: true }).then(
        value => ({ value, problem: undefined }),
        (error: Error) => ({ value: undefined, problem: error.message }),
      ),
      this.lastChange(repo, provider, source.path, branch, source.file!).catch(() => undefined),
    ]);
    const gates = evaluateGates({
      source: from.name,
      gates: to.gates ?? { requireSynced: true, requireHealthy: true, requireBuildSucceeded: true, blockSeverity: 'CRITICAL', minSoakMinutes: 0 },
      digest,
      argoCd,
      build: sourceBuild,
      vulnerabilities: scan.value,
      vulnerabilityProblem: scan.problem ?? (this.options.harbor ? undefined : 'luban.harbor is not configured'),
      runningSince: runningSince ?? argoCd?.lastSyncedAt,
      now: new Date(),
    });
    const currentBuild = builds.find(b => digestOfBuild(b) === current.image?.digest);
    const commits = this.commitsBetween(target, builds, currentBuild, sourceBuild);
    const change = this.plannedChange(target, to, current, digest, source.image?.newName);
    const result: LubanChangeResult = {
      allowed: gates.every(g => g.passed),
      gates,
      fromDigest: current.image?.digest,
      toDigest: digest,
      overlayPath: current.path,
      diff: change.diff,
      commits,
      dryRun: Boolean(request.dryRun),
    };
    if (!result.allowed || request.dryRun) return result;

    const pullBranch = promotionBranchName(target.app, to.name, digest);
    const title = `Promote ${target.app} to ${to.name} (${shortDigest(digest)})`;
    const body = [
      `luban promotes **${target.app}** from **${from.name}** to **${to.name}**.`,
      '',
      `- from \`${current.image?.digest ?? '(nothing deployed)'}\`${currentBuild ? ` (build #${currentBuild.number})` : ''}`,
      `- to \`${digest}\`${sourceBuild ? ` (build #${sourceBuild.number})` : ''}`,
      '',
      ...this.commitsSection(target, currentBuild, sourceBuild, commits),
      '### Gates',
      '',
      ...gates.map(g => `- ${g.passed ? '✅' : '❌'} **${g.gate}**: ${g.reason}`),
      '',
      `Requested by ${actor.userEntityRef ?? 'a service'} through Backstage. Only \`${current.path}\` changes.`,
    ].join('\n');
    const pullRequest = await this.writeChange(repo, provider, to, {
      branch: pullBranch,
      path: current.path,
      message: `${title}\n\nRequested by ${actor.userEntityRef ?? 'a service'}.`,
      title,
      body,
      edit: content => setOverlayImage(content ?? '', change.overlayChange, current.path).content,
    });
    this.options.logger.info('Promotion pull request opened', {
      entityRef: target.entityRef,
      from: from.name,
      to: to.name,
      digest,
      pullRequest: pullRequest.url,
      reused: pullRequest.reused,
    });
    return { ...result, pullRequest, branch: pullBranch };
  }

  async history(target: LubanTarget, envName: string): Promise<LubanDeployment[]> {
    const env = this.environment(target, envName);
    const repo = EntityTargets.requireGitopsRepo(target);
    const provider = this.options.git.forRepository(repo);
    const path = gitopsOverlayPath(target.app, env.name, env.overlayPathPattern);
    const [commits, builds] = await Promise.all([
      provider.fileHistory(repo, path, this.options.gitopsBranch, HISTORY_LIMIT),
      this.kpackBuilds(target).catch(() => [] as KpackBuild[]),
    ]);
    const digests = await Promise.all(commits.map(commit => this.digestAt(target, repo, provider, path, commit.sha)));
    // A version is a commit that changed the digest; other edits of the overlay (labels, patches) are not.
    const versions: LubanDeployment[] = [];
    for (let index = commits.length - 1; index >= 0; index--) {
      const digest = digests[index];
      if (!digest || digest === versions[0]?.digest) continue;
      const commit = commits[index];
      const build = builds.find(b => digestOfBuild(b) === digest);
      versions.unshift({
        digest,
        commitSha: commit.sha,
        commitUrl: provider.webUrlOfCommit(repo, commit.sha),
        date: commit.date,
        author: commit.author || undefined,
        message: commit.message.split('\n')[0] || undefined,
        build: build ? { name: build.name, number: build.number, revision: build.revision } : undefined,
        current: false,
      });
    }
    // The newest commit is what the branch holds, unless the file is gone.
    if (versions.length && digests[0] === versions[0].digest) versions[0].current = true;
    return versions;
  }

  async rollback(target: LubanTarget, request: LubanRollbackRequest, actor: Actor): Promise<LubanChangeResult> {
    const env = this.environment(target, request.env);
    const repo = EntityTargets.requireGitopsRepo(target);
    const provider = this.options.git.forRepository(repo);
    const versions = await this.history(target, env.name);
    const current = versions.find(v => v.current);
    let version: LubanDeployment | undefined;
    if (request.toDigest) {
      version = versions.find(v => v.digest === request.toDigest);
      if (!version) {
        throw new InputError(
          `${request.toDigest} never ran in ${env.name} (it is not in the history of its overlay); roll back to one of: ${versions.map(v => shortDigest(v.digest)).join(', ') || 'none'}`,
        );
      }
    } else {
      version = versions[versions.indexOf(current!) + 1];
      if (!current || !version) throw new InputError(`${env.name} has no earlier version to roll back to`);
    }
    if (version.digest === current?.digest) throw new InputError(`${env.name} already runs ${shortDigest(version.digest)}`);
    const digest = version.digest;
    const overlay = await this.readOverlay(target, repo, provider, env, this.options.gitopsBranch);
    const change = this.plannedChange(target, env, overlay, digest);
    const result: LubanChangeResult = {
      allowed: true,
      gates: [],
      fromDigest: overlay.image?.digest,
      toDigest: digest,
      overlayPath: overlay.path,
      diff: change.diff,
      dryRun: Boolean(request.dryRun),
    };
    if (request.dryRun) return result;

    // Its own prefix: the pull request says it is a rollback, and never joins a promotion of the same digest.
    const branch = promotionBranchName(target.app, env.name, digest).replace(/^luban\/promote\//, 'luban/rollback/');
    const title = `Roll back ${target.app} in ${env.name} to ${shortDigest(digest)}`;
    const body = [
      `luban rolls **${target.app}** in **${env.name}** back.`,
      '',
      `- from \`${overlay.image?.digest ?? '(nothing deployed)'}\``,
      `- to \`${digest}\`${version.build ? ` (build #${version.build.number})` : ''}, which ${env.name} ran since ${version.date} ([${version.commitSha.slice(0, 7)}](${version.commitUrl}))`,
      '',
      'Rollbacks have no gates.',
      '',
      `Requested by ${actor.userEntityRef ?? 'a service'} through Backstage. Only \`${overlay.path}\` changes.`,
    ].join('\n');
    const pullRequest = await this.writeChange(repo, provider, env, {
      branch,
      path: overlay.path,
      message: `${title}\n\nRequested by ${actor.userEntityRef ?? 'a service'}.`,
      title,
      body,
      edit: content => setOverlayImage(content ?? '', change.overlayChange, overlay.path).content,
    });
    this.options.logger.info('Rollback pull request opened', {
      entityRef: target.entityRef,
      env: env.name,
      digest,
      pullRequest: pullRequest.url,
      reused: pullRequest.reused,
    });
    return { ...result, pullRequest, branch };
  }

  private environment(target: LubanTarget, name: string): LubanEnvironment {
    const env = target.environments.find(e => e.name === name);
    if (!env) {
      throw new InputError(`'${name}' is not an environment; the environments are ${target.environments.map(e => e.name).join(', ')}`);
    }
    return env;
  }

  private async readOverlay(
    target: LubanTarget,
    repo: RepoLocation,
    provider: GitProvider,
    env: LubanEnvironment,
    ref: string,
  ): Promise<OverlayRead> {
    const path = gitopsOverlayPath(target.app, env.name, env.overlayPathPattern);
    const file = await provider.readFile(repo, path, ref);
    const image = file ? readOverlayImages(file.content, path).find(i => i.name === target.app) : undefined;
    return { path, file, image };
  }

  /** The new overlay content and its diff; the repository of the image is kept when the overlay names one. */
  private plannedChange(target: LubanTarget, env: LubanEnvironment, overlay: OverlayRead, digest: string, sourceNewName?: string) {
    const overlayChange = {
      name: target.app,
      ...(overlay.image?.newName || !sourceNewName ? {} : { newName: sourceNewName }),
      // A tag next to a digest would name another image than the one deployed.
      newTag: null,
      digest,
    };
    const edited = setOverlayImage(overlay.file?.content ?? '', overlayChange, overlay.path);
    if (!edited.changed) throw new ConflictError(`${env.name} already runs ${shortDigest(digest)}: there is nothing to change`);
    return { overlayChange, diff: unifiedDiff(overlay.path, overlay.file?.content, edited.content) };
  }

  /**
   * Creates the branch from the GitOps branch head, edits the overlay on it
   * (compare-and-set, re-applied when the branch moved meanwhile, a no-op
   * when it already holds the change) and opens or reuses the pull request.
   * Concurrent identical requests in this process share one run; across
   * processes the branch, the edit and the provider's pull request are each
   * idempotent.
   */
  private async writeChange(
    repo: RepoLocation,
    provider: GitProvider,
    env: LubanEnvironment,
    change: { branch: string; path: string; message: string; title: string; body: string; edit: (content: string | undefined) => string },
  ): Promise<{ number: number; url: string; reused: boolean }> {
    const key = JSON.stringify([repo.webUrl, change.branch]);
    const { promise, joined } = this.writes.run(key, async () => {
      const base = this.options.gitopsBranch;
      const head = await provider.getBranch(repo, base);
      if (!head) throw new NotFoundError(`${repo.webUrl} has no branch '${base}' (luban.gitops.branch)`);
      await provider.ensureBranch(repo, change.branch, head);
      await provider.editFile(repo, { branch: change.branch, path: change.path, message: change.message, edit: change.edit });
      const opened = await provider.openOrReusePullRequest(repo, { head: change.branch, base, title: change.title, body: change.body });
      this.pullRequests.set(JSON.stringify([repo.webUrl, env.name]), {
        number: opened.number,
        url: opened.webUrl,
        title: change.title,
        checkedAt: Date.now(),
      });
      return { number: opened.number, url: opened.webUrl, reused: opened.reused };
    });
    const pullRequest = await promise;
    return joined ? { ...pullRequest, reused: true } : pullRequest;
  }

  private async openPullRequest(repo: RepoLocation, provider: GitProvider, env: string) {
    const key = JSON.stringify([repo.webUrl, env]);
    const remembered = this.pullRequests.get(key);
    if (!remembered) return undefined;
    if (Date.now() - remembered.checkedAt > PULL_REQUEST_REFRESH_MS) {
      const info = await provider.getPullRequest(repo, remembered.number);
      if (info.state !== 'open') {
        if (this.pullRequests.get(key) === remembered) this.pullRequests.delete(key);
        return undefined;
      }
      remembered.checkedAt = Date.now();
      remembered.title = info.title;
    }
    return { number: remembered.number, url: remembered.url, title: remembered.title };
  }

  /** The date of the last commit that touched the overlay, cached by the commit the branch was read at. */
  private async lastChange(repo: RepoLocation, provider: GitProvider, path: string, branch: string, file: GitFile) {
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
      : (await provider.fileHistory(repo, path, file.commitSha || branch, 1))[0]?.date;
    // Bounded: a thousand apps in three environments keep 3,000 of each.
    if (this.overlayDates.size > 20_000) this.overlayDates.clear();
    if (this.overlayDateHeads.size > 20_000) this.overlayDateHeads.clear();
    this.overlayDates.set(key, date);
    if (file.commitSha) this.overlayDateHeads.set(fileKey, { commitSha: file.commitSha, date });
    return date;
  }

  private async digestAt(target: LubanTarget, repo: RepoLocation, provider: GitProvider, path: string, sha: string) {
    const key = JSON.stringify([repo.webUrl, path, target.app, sha]);
    if (this.digestsAtCommit.has(key)) return this.digestsAtCommit.get(key);
    const file = await provider.readFile(repo, path, sha);
    let digest: string | undefined;
    try {
      digest = file ? readOverlayImages(file.content, path).find(i => i.name === target.app)?.digest : undefined;
    } catch {
      // An overlay that was not valid YAML at that commit ran nothing luban can name.
      digest = undefined;
    }
    if (this.digestsAtCommit.size > 5000) this.digestsAtCommit.clear();
    this.digestsAtCommit.set(key, digest);
    return digest;
  }

  private async kpackBuilds(target: LubanTarget): Promise<KpackBuild[]> {
    const informer = await this.options.clusters.builds(target.cluster);
    return informer
      .list(
        object =>
          object.metadata?.namespace === target.image.namespace &&
          object.metadata?.labels?.[KPACK.imageLabel] === target.image.name,
      )
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

  private commitUrl(target: LubanTarget, sha?: string) {
    if (!sha || !target.sourceRepo) return undefined;
    return this.options.git.forRepository(target.sourceRepo).webUrlOfCommit(target.sourceRepo, sha);
  }

  /**
   * The source commits built after what the target runs, up to the promoted
   * build: the revisions of the app's kpack Builds in between (the provider
   * interface has no compare call; the pull request links the full compare).
   */
  private commitsBetween(target: LubanTarget, builds: KpackBuild[], from?: KpackBuild, to?: KpackBuild) {
    if (!to?.revision) return undefined;
    const lowest = from?.number ?? 0;
    const revisions = builds
      .filter(b => b.number > lowest && b.number <= to.number && b.status === 'succeeded' && b.revision)
      .sort((a, b) => a.number - b.number)
      .map(b => b.revision!);
    return [...new Set(revisions)].filter(sha => sha !== from?.revision).map(sha => ({ sha, url: this.commitUrl(target, sha) }));
  }

  private commitsSection(target: LubanTarget, from: KpackBuild | undefined, to: KpackBuild | undefined, commits?: Array<{ sha: string; url?: string }>) {
    const lines = ['### Changes', ''];
    const source = target.sourceRepo;
    if (source && from?.revision && to?.revision && from.revision !== to.revision) {
      const compare =
        source.provider === 'github'
          ? `${source.webUrl}/compare/${from.revision}...${to.revision}`
          : `${source.webUrl}/branchCompare?baseVersion=GC${from.revision}&targetVersion=GC${to.revision}`;
      lines.push(`All source changes: [${from.revision.slice(0, 7)}…${to.revision.slice(0, 7)}](${compare})`, '');
    }
    if (commits?.length) {
      lines.push('Commits built since:', '', ...commits.map(c => `- ${c.url ? `[${c.sha.slice(0, 7)}](${c.url})` : c.sha.slice(0, 7)}`), '');
    } else {
      lines.push('luban does not know the source commits between the two images.', '');
    }
    return lines;
  }

  private async argoCdState(target: LubanTarget, env: LubanEnvironment): Promise<ArgoCdState | undefined> {
    const name = argoCdApplicationName(env.name, target.project, target.app);
    const namespace = this.options.argoCdNamespace;
    const informer = await this.options.clusters.applications(env.cluster);
    const [object] = informer.list(o => o.metadata?.name === name && o.metadata?.namespace === namespace);
    if (!object) return undefined;
    const app = toArgoCdApplication(object);
    const baseUrl = this.options.argoCdBaseUrl?.replace(/\/+$/, '');
    return {
      application: name,
      syncStatus: app.syncStatus,
      healthStatus: app.healthStatus,
      revision: app.revision,
      lastSyncedAt: app.lastSyncedAt,
      url: baseUrl ? `${baseUrl}/applications/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}` : undefined,
    };
  }

  /** Harbor's scan of a digest; views take it from a short cache, gates read it again. */
  private async vulnerabilities(target: LubanTarget, digest: string, options: { fresh: boolean }): Promise<LubanVulnerabilities | undefined> {
    const harbor = this.options.harbor;
    if (!harbor) return undefined;
    const project = harborProjectName(target.project);
    const key = JSON.stringify([project, target.app, digest]);
    const cached = this.scans.get(key);
    if (!options.fresh && cached && cached.expiresAt > Date.now()) return cached.value;
    const artifact = await harbor.getArtifact(project, target.app, digest);
    const summary = artifact?.vulnerabilities;
    const count = (severity: string) => Number(summary?.bySeverity?.[severity] ?? 0);
    const value: LubanVulnerabilities = {
      critical: count('Critical'),
      high: count('High'),
      medium: count('Medium'),
      low: count('Low'),
      scanned: summary?.scanStatus === 'Success',
    };
    // Bounded: a thousand apps in three environments keep 3,000 entries.
    if (this.scans.size > 20_000) this.scans.clear();
    this.scans.set(key, { value, expiresAt: Date.now() + (value.scanned ? FINISHED_SCAN_TTL_MS : PENDING_SCAN_TTL_MS) });
    return value;
  }
}

function digestOfBuild(build: KpackBuild): string | undefined {
  return build.latestImage ? DIGEST_OF_IMAGE.exec(build.latestImage)?.[1] : undefined;
}
