import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  gitopsOverlayPath,
  shortDigest,
  type LubanChangeResult,
  type LubanDeployment,
  type LubanEnvironment,
  type LubanPromoteRequest,
  type LubanPromotionState,
  type LubanSyncResult,
  type LubanRollbackRequest,
} from '@luban-backstage/plugin-luban-common';
import {
  readOverlayImages,
  setOverlayImage,
  type GitOpsWriter,
  type GitProvider,
  type KpackBuild,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';
import { EntityTargets, type LubanTarget } from '../EntityTargets';
import type { Actor, PromotionService } from '../types';
import { changeBranchName, parseChangeBranch } from './changeBranches';
import { evaluateGates } from './gates';
import { PromotionStateReader, type OverlayRead, type PromotionSources } from './PromotionStateReader';
import { promotionText, rollbackText, type BuiltCommit, type PullRequestText } from './pullRequestText';
import { closeSuperseded } from './supersede';
import { syncEnvironment } from './syncEnvironment';
import { unifiedDiff } from './unifiedDiff';

/** How a promotion is written: by default a pull request; `commit` commits where the branch allows it. */
export interface PromotionWrite {
  commit?: boolean;
}

/** How many overlay commits history reads. */
const HISTORY_LIMIT = 30;

/** A change to one environment's overlay, planned against what it holds now. */
interface PlannedChange {
  app: string;
  env: LubanEnvironment;
  overlay: OverlayRead;
  digest: string;
  /** The image repository of the source, for an overlay that names none yet. */
  sourceNewName?: string;
}

/**
 * Promotion through the GitOps repository: what runs where comes from the
 * {@link PromotionStateReader}; every change is a pull request that edits
 * only the target overlay on a branch named after the app, environment and
 * digest, so that identical requests converge on one branch and one pull
 * request (written by the backend's one GitOps writer).
 */
export class GitOpsPromotionService implements PromotionService {
  private readonly state: PromotionStateReader;
  /** The app's digest in an overlay at a commit. */
  private readonly digestsAtCommit = new Map<string, string | undefined>();

  constructor(
    private readonly options: PromotionSources & {
      writer: GitOpsWriter;
      logger: LoggerService;
      /** Tells every replica that luban changed the repository's pull requests (none are pushes). */
      announce?: (repo: RepoLocation) => Promise<void>;
    },
  ) {
    this.state = new PromotionStateReader(options);
  }

  getState(target: LubanTarget): Promise<LubanPromotionState> {
    return this.state.getState(target);
  }

  async sync(target: LubanTarget, env: string, actor: Actor, options: { dryRun?: boolean } = {}): Promise<LubanSyncResult> {
    const result = await syncEnvironment(this.options, target, env, actor, options);
    if (result.dryRun) return result;
    this.options.logger.info('Started an Argo CD sync', { entityRef: target.entityRef, ...result, initiatedBy: actor.userEntityRef });
    return result;
  }

  async promote(target: LubanTarget, request: LubanPromoteRequest, actor: Actor, how: PromotionWrite = {}): Promise<LubanChangeResult> {
    const { to, from } = this.promotionEnvironments(target, request);
    const repo = EntityTargets.requireGitopsRepo(target);
    const branch = this.options.gitopsBranch;
    const [source, current, builds] = await Promise.all([
      this.state.readOverlay(target, repo, from, branch),
      this.state.readOverlay(target, repo, to, branch),
      this.state.kpackBuilds(target),
    ]);
    const digest = source.image?.digest;
    if (!digest) {
      throw new ConflictError(`${from.name} runs no image of ${target.app} by digest (${source.path}), so there is nothing to promote`);
    }
    const sourceBuild = builds.find(b => b.digest === digest);
    const gates = await this.gates(target, repo, from, to, source, digest, sourceBuild);
    const currentBuild = builds.find(b => b.digest === current.image?.digest);
    const commits = this.commitsBetween(target, builds, currentBuild, sourceBuild);
    const change: PlannedChange = { app: target.app, env: to, overlay: current, digest, sourceNewName: source.image?.newName };
    const result: LubanChangeResult = {
      ...this.changeResult(change, request.dryRun),
      allowed: gates.every(g => g.passed),
      gates,
      commits,
    };
    if (!result.allowed || request.dryRun) return result;

    const pullBranch = changeBranchName('promote', target.app, to.name, digest);
    const text = promotionText({
      app: target.app,
      from: from.name,
      to: to.name,
      currentDigest: current.image?.digest,
      digest,
      currentBuild,
      sourceBuild,
      commits,
      compareUrl: this.compareUrl(target, currentBuild, sourceBuild),
      gates,
      overlayPath: current.path,
      actor,
    });
    if (how.commit) return { ...result, ...(await this.commitOrPropose(target, repo, change, pullBranch, text)) };
    const pullRequest = await this.propose(repo, change, pullBranch, text);
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
      this.state.kpackBuilds(target).catch(() => [] as KpackBuild[]),
    ]);
    const digests = await Promise.all(commits.map(commit => this.digestAt(target, repo, provider, path, commit.sha)));
    // A version is a commit that changed the digest; other edits of the overlay (labels, patches) are not.
    const versions: LubanDeployment[] = [];
    for (let index = commits.length - 1; index >= 0; index--) {
      const digest = digests[index];
      if (!digest || digest === versions[0]?.digest) continue;
      const commit = commits[index];
      const build = builds.find(b => b.digest === digest);
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
    const versions = await this.history(target, env.name);
    const version = this.rollbackVersion(env, versions, request.toDigest);
    // The history is newest first: a version after the current one is older.
    const backwards = versions.indexOf(version) > versions.findIndex(v => v.current);
    const digest = version.digest;
    const overlay = await this.state.readOverlay(target, repo, env, this.options.gitopsBranch);
    const change: PlannedChange = { app: target.app, env, overlay, digest };
    const result: LubanChangeResult = { ...this.changeResult(change, request.dryRun), allowed: true, gates: [] };
    if (request.dryRun) return result;

    const branch = changeBranchName('rollback', target.app, env.name, digest);
    const text = rollbackText({
      app: target.app,
      env: env.name,
      currentDigest: overlay.image?.digest,
      version,
      backwards,
      overlayPath: overlay.path,
      actor,
    });
    const pullRequest = await this.propose(repo, change, branch, text);
    this.options.logger.info('Rollback pull request opened', {
      entityRef: target.entityRef,
      env: env.name,
      digest,
      pullRequest: pullRequest.url,
      reused: pullRequest.reused,
    });
    return { ...result, pullRequest, branch };
  }

  /** The version a rollback goes to: the one asked for, or the one before what runs. */
  private rollbackVersion(env: LubanEnvironment, versions: LubanDeployment[], toDigest?: string): LubanDeployment {
    const current = versions.find(v => v.current);
    let version: LubanDeployment | undefined;
    if (toDigest) {
      version = versions.find(v => v.digest === toDigest);
      if (!version) {
        throw new InputError(
          `${toDigest} never ran in ${env.name} (it is not in the history of its overlay); roll back to one of: ${versions.map(v => shortDigest(v.digest)).join(', ') || 'none'}`,
        );
      }
    } else {
      version = versions[versions.indexOf(current!) + 1];
      if (!current || !version) throw new InputError(`${env.name} has no earlier version to roll back to`);
    }
    if (version.digest === current?.digest) throw new InputError(`${env.name} already runs ${shortDigest(version.digest)}`);
    return version;
  }

  /** The target environment of a promotion and the one it is promoted from, as configured. */
  private promotionEnvironments(target: LubanTarget, request: LubanPromoteRequest) {
    const to = this.environment(target, request.to);
    if (!to.promotesFrom) {
      throw new InputError(`${to.name} is the first environment: nothing is promoted into it; it deploys new builds`);
    }
    if (to.promotesFrom !== request.from) {
      throw new InputError(`${to.name} is promoted from ${to.promotesFrom}, not from ${request.from}`);
    }
    return { to, from: this.environment(target, request.from) };
  }

  /** The gates of a promotion, decided on fresh data: the scan is read again, not taken from the view's cache. */
  private async gates(
    target: LubanTarget,
    repo: RepoLocation,
    from: LubanEnvironment,
    to: LubanEnvironment,
    source: OverlayRead,
    digest: string,
    sourceBuild: KpackBuild | undefined,
  ) {
    const [application, scan, runningSince] = await Promise.all([
      this.state.argoCdApplication(target, from),
      this.state.harborArtifact(target, digest).then(
        value => ({ value, problem: undefined }),
        (error: Error) => ({ value: undefined, problem: error.message }),
      ),
      this.state.lastChange(repo, source.path, source.file!).catch(() => undefined),
    ]);
    const argoCd = application && { ...application.state, images: application.images };
    return evaluateGates({
      source: from.name,
      // Every environment promoted into has gates: readLubanEnvironments fills in the defaults.
      gates: to.gates!,
      digest,
      argoCd,
      build: sourceBuild,
      harborTags: scan.value?.tags,
      vulnerabilities: scan.value?.vulnerabilities,
      vulnerabilityProblem: scan.problem ?? (this.options.harbor ? undefined : 'luban.harbor is not configured'),
      runningSince: runningSince ?? argoCd?.lastSyncedAt,
      now: new Date(),
    });
  }

  private environment(target: LubanTarget, name: string): LubanEnvironment {
    const env = target.environments.find(e => e.name === name);
    if (!env) {
      throw new InputError(`'${name}' is not an environment; the environments are ${target.environments.map(e => e.name).join(', ')}`);
    }
    return env;
  }

  /** The overlay edit of a change: the digest set, and the repository of the image kept when the overlay names one. */
  private overlayChange({ app, overlay, digest, sourceNewName }: PlannedChange) {
    return {
      name: app,
      ...(overlay.image?.newName || !sourceNewName ? {} : { newName: sourceNewName }),
      // A tag next to a digest would name another image than the one deployed.
      newTag: null,
      digest,
    };
  }

  /** What a change does to the overlay (its diff), refused when it changes nothing. */
  private changeResult(change: PlannedChange, dryRun?: boolean): LubanChangeResult {
    const { env, overlay, digest } = change;
    const edited = setOverlayImage(overlay.file?.content ?? '', this.overlayChange(change), overlay.path);
    if (!edited.changed) throw new ConflictError(`${env.name} already runs ${shortDigest(digest)}: there is nothing to change`);
    return {
      allowed: true,
      gates: [],
      fromDigest: overlay.image?.digest,
      toDigest: digest,
      overlayPath: overlay.path,
      diff: unifiedDiff(overlay.path, overlay.file?.content, edited.content),
      dryRun: Boolean(dryRun),
    };
  }

  /**
   * Commits a promotion to the GitOps branch (luban's own, for an environment
   * with `autoPromote: commit`), proposing it where the branch is protected.
   */
  private async commitOrPropose(target: LubanTarget, repo: RepoLocation, change: PlannedChange, branch: string, text: PullRequestText) {
    const overlayChange = this.overlayChange(change);
    const path = change.overlay.path;
    const { commitSha, pullRequest } = await this.options.writer.commitOrPropose(repo, {
      branch: this.options.gitopsBranch,
      message: text.message,
      edits: { [path]: content => setOverlayImage(content ?? '', overlayChange, path).content },
      proposal: { branch, title: text.title, body: text.body },
    });
    const about = { entityRef: target.entityRef, to: change.env.name, digest: change.digest };
    if (pullRequest) {
      this.options.logger.info('Promotion pull request opened', { ...about, pullRequest: pullRequest.webUrl, reused: pullRequest.reused });
      return { pullRequest: { number: pullRequest.number, url: pullRequest.webUrl, reused: pullRequest.reused }, branch };
    }
    if (!commitSha) return {};
    const url = this.options.git.forRepository(repo).webUrlOfCommit(repo, commitSha);
    this.options.logger.info('Promotion committed', { ...about, commit: url });
    return { commit: { sha: commitSha, url } };
  }

  /**
   * Proposes the change through the GitOps writer, then closes the older
   * pull requests of the app and environment it supersedes: merged later,
   * they would move the environment back.
   */
  private async propose(repo: RepoLocation, change: PlannedChange, branch: string, text: PullRequestText) {
    const overlayChange = this.overlayChange(change);
    const path = change.overlay.path;
    const { pullRequest } = await this.options.writer.proposeChange(repo, {
      branch: this.options.gitopsBranch,
      message: text.message,
      edits: { [path]: content => setOverlayImage(content ?? '', overlayChange, path).content },
      proposal: { branch, title: text.title, body: text.body },
    });
    const provider = this.options.git.forRepository(repo);
    const proposed = { number: pullRequest.number, url: pullRequest.webUrl, branch: parseChangeBranch(branch)! };
    await closeSuperseded(provider, repo, await this.state.openChanges(repo), proposed, this.options.logger);
    await this.options.announce?.(repo);
    return { number: pullRequest.number, url: pullRequest.webUrl, reused: pullRequest.reused };
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

  /** The web page of all source changes between two builds, when both revisions are known and differ. */
  private compareUrl(target: LubanTarget, from?: KpackBuild, to?: KpackBuild): string | undefined {
    const source = target.sourceRepo;
    if (!source || !from?.revision || !to?.revision || from.revision === to.revision) return undefined;
    return this.options.git.forRepository(source).webUrlOfCompare(source, from.revision, to.revision);
  }

  /**
   * The source commits built after what the target runs, up to the promoted
   * build: the revisions of the app's kpack Builds in between (the provider
   * interface has no compare call; the pull request links the full compare).
   */
  private commitsBetween(target: LubanTarget, builds: KpackBuild[], from?: KpackBuild, to?: KpackBuild): BuiltCommit[] | undefined {
    if (!to?.revision) return undefined;
    const lowest = from?.number ?? 0;
    const revisions = builds
      .filter(b => b.number > lowest && b.number <= to.number && b.status === 'succeeded' && b.revision)
      .sort((a, b) => a.number - b.number)
      .map(b => b.revision!);
    return [...new Set(revisions)].filter(sha => sha !== from?.revision).map(sha => ({ sha, url: this.state.commitUrl(target, sha) }));
  }
}
