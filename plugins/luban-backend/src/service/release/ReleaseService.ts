import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  shortDigest,
  type LubanEnvironment,
  type LubanReleaseMatrix,
  type LubanReleaseMember,
  type LubanReleaseRequest,
  type LubanReleaseResult,
} from '@luban-backstage/plugin-luban-common';
import {
  readOverlayImages,
  setOverlayImage,
  type GitOpsWriter,
  type GitProviders,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';
import { EntityTargets, type LubanTarget } from '../EntityTargets';
import type { Actor, PromotionService } from '../types';
import { closeSupersededByRelease, releaseBranchName } from './releaseBranches';
import { releaseText } from './releaseText';

/** A System and its luban apps, as {@link releaseMembers} found them. */
export interface ReleaseScope {
  /** The System's entity reference. */
  system: string;
  /** The System's name, for the branch. */
  name: string;
  members: LubanTarget[];
}

/** A member as planned, with the image reference the source runs (for an overlay that names no repository yet). */
interface PlannedMember {
  member: LubanReleaseMember;
  sourceImage?: string;
}

/**
 * Releases of several apps: every app of a System moved from one
 * environment to the next in ONE pull request of the project's GitOps
 * repository. Each member is planned as its own promotion would be (the
 * same gates, through {@link PromotionService.promote}'s dry run), so a
 * release never passes what a promotion of one of its apps would refuse.
 */
export class ReleaseService {
  constructor(
    private readonly options: {
      promotion: PromotionService;
      writer: GitOpsWriter;
      /** To close the pull requests a release supersedes. */
      git: GitProviders;
      environments: LubanEnvironment[];
      gitopsBranch: string;
      logger: LoggerService;
      /** Tells every replica that luban changed the repository's pull requests (none are pushes). */
      announce?: (repo: RepoLocation) => Promise<void>;
    },
  ) {}

  /** What every app of the System runs in each environment, and where it is behind. */
  async matrix(scope: ReleaseScope): Promise<LubanReleaseMatrix> {
    const members = await Promise.all(
      scope.members.map(async target => {
        try {
          const state = await this.options.promotion.getState(target);
          const environments = state.environments.map(env => ({
            name: env.name,
            ...(env.digest ? { digest: env.digest } : {}),
            ...(env.behindSource ? { behind: true } : {}),
          }));
          return { entityRef: target.entityRef, app: target.app, environments };
        } catch (error) {
          // One app that cannot be read leaves the others in the matrix.
          return {
            entityRef: target.entityRef,
            app: target.app,
            environments: [],
            problem: (error as Error).message,
          };
        }
      }),
    );
    return {
      system: scope.system,
      environments: this.options.environments.map(env => ({
        name: env.name,
        ...(env.promotesFrom ? { promotesFrom: env.promotesFrom } : {}),
      })),
      members,
    };
  }

  /** Checks the environments of a release as a promotion does, before anything is read. */
  checkEnvironments(request: Pick<LubanReleaseRequest, 'from' | 'to'>): void {
    const names = this.options.environments.map(e => e.name);
    for (const name of [request.from, request.to]) {
      if (!names.includes(name))
        throw new InputError(
          `'${name}' is not an environment; the environments are ${names.join(
            ', ',
          )}`,
        );
    }
    const to = this.options.environments.find(e => e.name === request.to)!;
    if (!to.promotesFrom)
      throw new InputError(
        `${to.name} is the first environment: nothing is promoted into it; it deploys new builds`,
      );
    if (to.promotesFrom !== request.from)
      throw new InputError(
        `${to.name} is promoted from ${to.promotesFrom}, not from ${request.from}`,
      );
  }

  /**
   * Plans the release (every member's digests and gates) and, unless a dry
   * run or a gate failed, opens or updates its one pull request.
   */
  async release(
    scope: ReleaseScope,
    request: LubanReleaseRequest,
    actor: Actor,
  ): Promise<LubanReleaseResult> {
    this.checkEnvironments(request);
    const { from, to } = request;
    if (!scope.members.length) {
      throw new InputError(
        `${scope.system} has no luban app: a release moves the Components of its project that name it in spec.system`,
      );
    }
    const planned = await Promise.all(
      scope.members.map(target => this.planMember(target, request, actor)),
    );
    const members = planned.map(p => p.member);
    const moved = planned.filter(p => p.member.behind);
    const result: LubanReleaseResult = {
      system: scope.system,
      from,
      to,
      members,
      allowed: moved.length > 0 && members.every(m => m.allowed),
      dryRun: Boolean(request.dryRun),
    };
    if (request.dryRun || !result.allowed) {
      if (!request.dryRun && !moved.length) {
        throw new ConflictError(
          `Every app of ${scope.system} already runs in ${to} what ${from} runs: there is nothing to release`,
        );
      }
      return result;
    }

    return { ...result, ...(await this.propose(scope, result, moved, actor)) };
  }

  /**
   * Opens (or reuses) the release's one pull request, editing the overlay
   * of every member that moves, then closes what it supersedes.
   */
  private async propose(
    scope: ReleaseScope,
    result: LubanReleaseResult,
    moved: PlannedMember[],
    actor: Actor,
  ): Promise<Pick<LubanReleaseResult, 'branch' | 'pullRequest'>> {
    const { system, from, to, members } = result;
    const repo = this.gitopsRepo(scope);
    const moves = moved.map(({ member }) => ({
      app: member.app,
      digest: member.sourceDigest!,
    }));
    const branch = releaseBranchName(scope.name, to, moves);
    const text = releaseText({ system, from, to, members, actor });
    const { pullRequest } = await this.options.writer.proposeChange(repo, {
      branch: this.options.gitopsBranch,
      message: text.message,
      edits: Object.fromEntries(
        moved.map(p => [p.member.overlayPath!, this.overlayEdit(p)]),
      ),
      proposal: { branch, title: text.title, body: text.body },
    });
    const { number, webUrl: url, reused } = pullRequest;
    await closeSupersededByRelease(
      this.options.git.forRepository(repo),
      repo,
      this.options.gitopsBranch,
      {
        system,
        name: scope.name,
        to,
        apps: moves.map(m => m.app),
        number,
        url,
      },
      this.options.logger,
    );
    await this.options.announce?.(repo);
    this.options.logger.info('Release pull request opened', {
      system,
      from,
      to,
      apps: moves.map(m => `${m.app}@${shortDigest(m.digest)}`).join(', '),
      pullRequest: url,
      reused,
    });
    return { branch, pullRequest: { number, url, reused } };
  }

  /** One member between the two environments: its digests and, when behind, the gates of its promotion. */
  private async planMember(
    target: LubanTarget,
    request: LubanReleaseRequest,
    actor: Actor,
  ): Promise<PlannedMember> {
    const { from, to } = request;
    const base = {
      entityRef: target.entityRef,
      app: target.app,
      gates: [] as LubanReleaseMember['gates'],
    };
    try {
      const state = await this.options.promotion.getState(target);
      const source = state.environments.find(e => e.name === from);
      const current = state.environments.find(e => e.name === to);
      const digests = {
        sourceDigest: source?.digest,
        targetDigest: current?.digest,
      };
      if (!source?.digest) {
        return {
          member: {
            ...base,
            ...digests,
            behind: false,
            allowed: true,
            problem: `${from} runs no image of ${target.app} by digest`,
          },
        };
      }
      if (source.digest === current?.digest)
        return {
          member: { ...base, ...digests, behind: false, allowed: true },
        };
      // The promotion's own dry run: the overlay read now, the gates decided on fresh data.
      const change = await this.options.promotion.promote(
        target,
        { from, to, dryRun: true },
        actor,
      );
      const member: LubanReleaseMember = {
        ...base,
        sourceDigest: change.toDigest,
        targetDigest: change.fromDigest,
        behind: true,
        allowed: change.allowed,
        gates: change.gates,
        overlayPath: change.overlayPath,
        diff: change.diff,
      };
      return { member, sourceImage: source.image };
    } catch (error) {
      if (error instanceof ConflictError) {
        // Read again by the dry run, the target runs the source's digest already (a change merged meanwhile).
        return {
          member: {
            ...base,
            behind: false,
            allowed: true,
            problem: error.message,
          },
        };
      }
      // A member that cannot be read blocks the release: luban cannot tell what it would move.
      return {
        member: {
          ...base,
          behind: false,
          allowed: false,
          problem: (error as Error).message,
        },
      };
    }
  }

  /** The edit of a member's overlay: its digest set, as its own promotion sets it. */
  private overlayEdit({ member, sourceImage: sourceReference }: PlannedMember) {
    const path = member.overlayPath!;
    const sourceImage = sourceReference?.split('@')[0];
    return (content: string | undefined) => {
      const named = readOverlayImages(content ?? '', path).find(
        i => i.name === member.app,
      )?.newName;
      // An overlay that names no image repository yet gets the source's; a tag beside a digest would name another image.
      const newName =
        !named && sourceImage && sourceImage !== member.app
          ? { newName: sourceImage }
          : {};
      return setOverlayImage(
        content ?? '',
        {
          name: member.app,
          ...newName,
          newTag: null,
          digest: member.sourceDigest!,
        },
        path,
      ).content;
    };
  }

  /** The project's GitOps repository: the record names one for all members, as each target was checked against it. */
  private gitopsRepo(scope: ReleaseScope): RepoLocation {
    const repos = scope.members.map(target =>
      EntityTargets.requireGitopsRepo(target),
    );
    if (new Set(repos.map(r => r.webUrl.toLowerCase())).size > 1) {
      throw new ConflictError(
        `The apps of ${scope.system} name different GitOps repositories; a release is one pull request in one repository`,
      );
    }
    return repos[0];
  }
}
