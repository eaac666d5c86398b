import type {
  LubanDeployment,
  LubanDigestTrace,
  LubanTraceEnvironment,
  LubanTracePullRequest,
} from '@luban-backstage/plugin-luban-common';
import type { GitProviders, RepoLocation } from '@luban-backstage/plugin-luban-node';
import { EntityTargets, type LubanTarget } from '../EntityTargets';
import { changeBranchName, type ChangeKind } from '../promotion/changeBranches';
import type { PromotionStateReader } from '../promotion/PromotionStateReader';
import type { BuildService, PromotionService } from '../types';

const KINDS: ChangeKind[] = ['promote', 'rollback'];

/** What the trace reads from: the services of the Builds and Delivery tabs, and the git host. */
export interface DigestTraceSources {
  builds: Pick<BuildService, 'listBuilds'>;
  /** Each environment's versions, from its overlay's history. */
  promotion: Pick<PromotionService, 'history'>;
  /** Harbor's artifact (scan, SBOM) and the commit pages of the source repository. */
  state: Pick<PromotionStateReader, 'harborArtifact' | 'commitUrl'>;
  git: GitProviders;
}

/** The times an environment's overlay was set to the digest, newest first, each with when a later version replaced it. */
function arrivalsOf(versions: LubanDeployment[], digest: string): LubanTraceEnvironment['arrivals'] {
  return versions.flatMap((version, index) =>
    version.digest === digest
      ? [
          {
            at: version.date,
            commitSha: version.commitSha,
            commitUrl: version.commitUrl,
            // Versions are newest first: the one before this in the list replaced it.
            ...(index > 0 ? { replacedAt: versions[index - 1].date } : {}),
          },
        ]
      : [],
  );
}

/**
 * The whole trace of one digest of an app, running or not: the Build that
 * produced it and its commit, Harbor's scan and SBOM, every promotion and
 * rollback pull request luban opened for it (read from the git host by
 * their branches, which name app, environment and digest — so merged and
 * closed ones too, on any replica), and when it reached each environment
 * (from the overlays' history). A part that cannot be read is a problem of
 * the answer, not a failure of it.
 */
export class DigestTrace {
  constructor(private readonly sources: DigestTraceSources) {}

  async trace(target: LubanTarget, digest: string): Promise<LubanDigestTrace> {
    const repo = EntityTargets.requireGitopsRepo(target);
    const problems: string[] = [];
    const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
        return undefined;
      }
    };
    const [builds, artifact, pullRequests, environments] = await Promise.all([
      attempt('The builds could not be read', () => this.sources.builds.listBuilds(target)),
      attempt('Harbor could not be read', () => this.sources.state.harborArtifact(target, digest)),
      attempt('The pull requests could not be read', () => this.pullRequests(target, repo, digest)),
      Promise.all(
        target.environments.map(async (env): Promise<LubanTraceEnvironment> => {
          const versions = await attempt(`The history of ${env.name} could not be read`, () =>
            this.sources.promotion.history(target, env.name),
          );
          const arrivals = arrivalsOf(versions ?? [], digest);
          return { name: env.name, running: Boolean(versions?.find(v => v.current)?.digest === digest), arrivals };
        }),
      ),
    ]);
    const build = builds?.builds.find(b => b.digest === digest);
    const trace: LubanDigestTrace = { digest, pullRequests: pullRequests ?? [], environments };
    if (build) trace.build = build;
    if (build?.revision) trace.commit = { sha: build.revision, url: build.commitUrl ?? this.sources.state.commitUrl(target, build.revision) };
    if (artifact?.found) {
      trace.vulnerabilities = { ...artifact.vulnerabilities, ...(build?.registryUrl ? { url: build.registryUrl } : {}) };
      trace.hasSbom = artifact.hasSbom;
    }
    if (problems.length) trace.problems = problems;
    return trace;
  }

  /** The pull requests of both kinds into every environment, from the branches luban names after app, environment and digest. */
  private async pullRequests(target: LubanTarget, repo: RepoLocation, digest: string): Promise<LubanTracePullRequest[]> {
    const provider = this.sources.git.forRepository(repo);
    const lists = await Promise.all(
      target.environments.flatMap(env =>
        KINDS.map(async kind => {
          const pulls = await provider.listPullRequestsFromBranch(repo, changeBranchName(kind, target.app, env.name, digest));
          return pulls.map(
            (pull): LubanTracePullRequest => ({
              kind,
              environment: env.name,
              number: pull.number,
              title: pull.title,
              url: pull.webUrl,
              state: pull.state,
              createdAt: pull.createdAt || undefined,
              closedAt: pull.closedAt,
            }),
          );
        }),
      ),
    );
    return lists.flat().sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || b.number - a.number);
  }
}
