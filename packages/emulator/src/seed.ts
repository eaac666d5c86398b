import type { RunningEmulator } from './server';
import type { DemoProject } from './demo/files';
import { protectGitOpsBranch, seedProject, seedSharedObjects, type DemoStory, type LubanWebhook } from './demo/seedProject';

export type { DemoProject } from './demo/files';
export type { LubanWebhook } from './demo/seedProject';

/** Options of {@link seedDemo}. */
export interface SeedDemoOptions {
  /**
   * luban's push webhook (its URL and signing secret): when given, each demo
   * source repository delivers its pushes to luban, which then has kpack
   * build the pushed commit at once instead of at kpack's next source poll.
   */
  lubanWebhook?: LubanWebhook;
  /**
   * Protect each GitOps repository's main branch as onboarding does (one
   * approval for pull requests, luban's user may commit directly), so that
   * the demo's prd promotion waits for a review as a real one would.
   */
  protectGitOps?: boolean;
}

/** The demo project every `scripts/start` begins with. */
export const DEMO = {
  project: 'payments',
  app: 'ledger-api',
  owner: 'payments-team',
} as const;

/**
 * The demo projects every `scripts/start` begins with, each of another team, so the tenant boundary shows:
 * {@link DEMO} first, then `analytics` (app `metrics-api`) of `data-team`.
 */
export const DEMO_PROJECTS: readonly DemoProject[] = [DEMO, { project: 'analytics', app: 'metrics-api', owner: 'data-team' }];

/** Each demo project's own story, by project name. */
const STORIES: Record<string, DemoStory> = {
  payments: {
    summary: 'The ledger API',
    change: {
      message: 'Return the balance of an account',
      file: 'balance.py',
      content: 'def balance(account):\n    return 0\n',
      author: { name: 'Ada Payments', email: 'ada@payments.example' },
    },
  },
  analytics: {
    summary: 'The metrics API',
    change: {
      message: 'Count the requests of a day',
      file: 'daily.py',
      content: 'def requests_per_day(day):\n    return 0\n',
      author: { name: 'Grace Data', email: 'grace@data.example' },
    },
  },
};

/**
 * Loads the demo: for each of {@link DEMO_PROJECTS}, the project's namespaces
 * (the ci one with the project record naming its owner), Harbor project,
 * source and GitOps repositories on the emulated GitHub, a kpack Image with two
 * builds, and Argo CD applications where prd runs the first build and snd the
 * second (so prd is one promotion behind).
 */
export async function seedDemo(emulator: RunningEmulator, options: SeedDemoOptions = {}): Promise<void> {
  seedSharedObjects(emulator);
  // The projects share nothing but the ClusterBuilder: loaded side by side, as
  // two teams onboard (each mostly waits on git and the controllers).
  const seedOne = async (spec: DemoProject) => {
    await seedProject(emulator, spec, STORIES[spec.project], options.lubanWebhook);
    if (options.protectGitOps) await protectGitOpsBranch(emulator, spec);
  };
  await Promise.all(DEMO_PROJECTS.map(seedOne));
}
