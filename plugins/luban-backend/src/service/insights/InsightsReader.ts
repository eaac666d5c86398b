import type { LubanDeployment, LubanInsights } from '@luban-backstage/plugin-luban-common';
import type { GitProviders } from '@luban-backstage/plugin-luban-node';
import { EntityTargets, type LubanTarget } from '../EntityTargets';
import type { PromotionStateReader } from '../promotion/PromotionStateReader';
import type { PromotionService } from '../types';
import {
  buildSamples,
  environmentSamples,
  insightsWindow,
  summariseBuilds,
  summariseEnvironment,
  type BuildSamples,
  type EnvironmentSamples,
} from './deliveryMetrics';

/** Bounded caches, as the promotion reader's: a thousand apps in three environments fit. */
const MAX_CACHED = 20_000;

/** What insights read: the Delivery tab's sources of truth. */
export interface InsightsSources {
  /** Each environment's versions, from its overlay's git history. */
  promotion: Pick<PromotionService, 'history'>;
  /** The overlay (one conditional request), the app's kpack Builds and Argo CD Applications (informer caches). */
  state: Pick<PromotionStateReader, 'readOverlay' | 'kpackBuilds' | 'argoCdApplication'>;
  git: GitProviders;
  gitopsBranch: string;
  now?: () => Date;
}

/** One app's part of the insights. */
interface AppSamples {
  environments: Map<string, EnvironmentSamples>;
  builds: BuildSamples;
  problems: string[];
}

/**
 * Delivery insights of an app or a project, computed from the sources of
 * truth only (deliveryMetrics.ts does the arithmetic): the overlays' git
 * history, the source commits' dates, the kpack Builds and Argo CD's last
 * operation. An environment's history is kept by the GitOps commit the
 * overlay was read at, a source commit's date for good (commits never
 * change); Builds and Applications come from informer caches. So a warm
 * view costs one conditional request per environment and app.
 */
export class InsightsReader {
  private readonly histories = new Map<string, LubanDeployment[]>();
  /** Shared while under way too: the environments of an app ask for the same commits at once. */
  private readonly commitDates = new Map<string, Promise<string | undefined>>();

  constructor(private readonly sources: InsightsSources) {}

  /** The insights of one app over the last `days` days. */
  async appInsights(target: LubanTarget, days: number): Promise<LubanInsights> {
    return this.insights([target], days);
  }

  /**
   * The insights of a project's apps together, for each environment named
   * (by default the apps' configured environments, in promotion order).
   */
  async insights(targets: LubanTarget[], days: number, environmentNames?: string[]): Promise<LubanInsights> {
    const window = insightsWindow(days, (this.sources.now ?? (() => new Date()))());
    const apps = await Promise.all(targets.map(target => this.appSamples(target, window)));
    const names = environmentNames ?? targets[0]?.environments.map(env => env.name) ?? [];
    const environments = names.map(name =>
      summariseEnvironment(
        name,
        apps.flatMap(app => app.environments.get(name) ?? []),
        window,
      ),
    );
    const problems = apps.flatMap(app => app.problems);
    return {
      days,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      apps: targets.map(t => t.app),
      environments,
      builds: summariseBuilds(apps.map(app => app.builds)),
      ...(problems.length ? { problems } : {}),
    };
  }

  private async appSamples(target: LubanTarget, window: ReturnType<typeof insightsWindow>): Promise<AppSamples> {
    const problems: string[] = [];
    const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (error) {
        problems.push(`${target.app}: ${what}: ${(error as Error).message}`);
        return undefined;
      }
    };
    const builds = (await attempt('the builds could not be read', () => this.sources.state.kpackBuilds(target))) ?? [];
    const environments = new Map<string, EnvironmentSamples>();
    await Promise.all(
      target.environments.map(async env => {
        const [versions, application] = await Promise.all([
          attempt(`the history of ${env.name} could not be read`, () => this.history(target, env.name)),
          attempt(`Argo CD's application in ${env.name} could not be read`, () => this.sources.state.argoCdApplication(target, env)),
        ]);
        if (!versions) return;
        const commitDates = await this.sourceCommitDates(target, versions, window, problems);
        environments.set(env.name, environmentSamples({ versions, lastOperation: application?.state.operation, commitDates }, window));
      }),
    );
    return { environments, builds: buildSamples(builds, window), problems };
  }

  /** An environment's versions, read again only when the GitOps branch moved since. */
  private async history(target: LubanTarget, envName: string): Promise<LubanDeployment[]> {
    const repo = EntityTargets.requireGitopsRepo(target);
    const env = target.environments.find(e => e.name === envName)!;
    const overlay = await this.sources.state.readOverlay(target, repo, env, this.sources.gitopsBranch);
    const key = JSON.stringify([repo.webUrl, target.app, envName, overlay.file?.commitSha]);
    const cached = overlay.file?.commitSha ? this.histories.get(key) : undefined;
    if (cached) return cached;
    const versions = await this.sources.promotion.history(target, envName);
    if (this.histories.size > MAX_CACHED) this.histories.clear();
    if (overlay.file?.commitSha) this.histories.set(key, versions);
    return versions;
  }

  /** The dates of the source commits the window's deploys were built from. */
  private async sourceCommitDates(
    target: LubanTarget,
    versions: LubanDeployment[],
    window: ReturnType<typeof insightsWindow>,
    problems: string[],
  ): Promise<Map<string, string>> {
    const revisions = new Set<string>();
    for (const version of versions) {
      if (Date.parse(version.date) < window.from.getTime()) continue;
      // The history names each version's build as the Delivery tab does (by digest, among the app's Builds).
      if (version.build?.revision) revisions.add(version.build.revision);
    }
    const dates = new Map<string, string>();
    const source = target.sourceRepo;
    const provider = source ? this.sources.git.forRepository(source) : undefined;
    if (!source || !provider?.commitDate) return dates;
    await Promise.all(
      [...revisions].map(async sha => {
        const key = JSON.stringify([source.webUrl, sha]);
        try {
          let read = this.commitDates.get(key);
          if (!read) {
            read = provider.commitDate!(source, sha);
            if (this.commitDates.size > MAX_CACHED) this.commitDates.clear();
            this.commitDates.set(key, read);
            // A failed read is asked again next time.
            read.catch(() => this.commitDates.delete(key));
          }
          const date = await read;
          if (date) dates.set(sha, date);
        } catch (error) {
          problems.push(`${target.app}: the date of commit ${sha.slice(0, 7)} could not be read: ${(error as Error).message}`);
        }
      }),
    );
    return dates;
  }
}
