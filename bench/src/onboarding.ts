import type { JsonObject } from '@backstage/types';
import { startEmulator, trustEmulatorCertificate, type RequestRecord } from '@luban-backstage/emulator';
import { emulatorConfig } from '../../plugins/scaffolder-backend-module-luban/src/__testUtils__/harness';
import { startTemplateBackend } from '../../plugins/scaffolder-backend-module-luban/src/__testUtils__/templateBackend';
import type { BenchOptions, Section } from './fixtures';
import { ms, summarize } from './stats';

const TEMPLATE = 'luban-project-onboarding';

/** Mutating requests by system, e.g. `kubernetes 21, harbor 5, github 7`. */
function bySystem(records: RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.system, (counts.get(record.system) ?? 0) + 1);
  return [...counts].map(([system, count]) => `${system} ${count}`).join(', ') || 'none';
}

/**
 * (c) The project onboarding template, end to end through the real
 * scaffolder as the Create page runs it, then the same form submitted again:
 * how long each takes, and what the re-run writes (it should find everything
 * in place and write nothing).
 */
export async function benchOnboarding(options: BenchOptions): Promise<Section> {
  const emulator = await startEmulator({ buildStepMs: 0, rolloutMs: 0 });
  trustEmulatorCertificate(emulator.kubernetes.caCert);
  emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
  try {
    const config = emulatorConfig(emulator) as JsonObject & { luban: JsonObject };
    config.luban.requestTimeoutSeconds = 10;
    // Onboarding registers luban's push webhook on the GitOps repository; nothing listens there in the bench.
    config.luban.webhooks = { targetBaseUrl: 'http://127.0.0.1:9/api/events/http', github: { secret: 'b'.repeat(32) } };
    const backend = await startTemplateBackend(config);
    await backend.waitForEntity('template', TEMPLATE);
    emulator.faults.latencyMs = options.latencyMs;

    const runs = Math.max(1, Math.min(options.cold, 5));
    const first: number[] = [];
    const again: number[] = [];
    let firstWrites: RequestRecord[] = [];
    let rerunWrites: RequestRecord[] = [];
    let rerunRequests = 0;
    for (let i = 0; i < runs; i++) {
      const project = `bench${i}`;
      const values = {
        project,
        // A group the bench's user is a member of: onboarding refuses any other (the tenant boundary).
        owner: 'group:default/payments-team',
        description: 'A project onboarded by the benchmark',
        gitopsRepoUrl: `${new URL(emulator.github.url).host}?owner=${project}&repo=${project}-gitops`,
      };

      emulator.requests.clear();
      let started = performance.now();
      const created = await backend.run(TEMPLATE, values);
      first.push(performance.now() - started);
      if (created.status !== 'completed') throw new Error(`onboarding ${project} ended ${created.status}: ${created.error}`);
      firstWrites = emulator.requests.mutating();

      emulator.requests.clear();
      started = performance.now();
      const rerun = await backend.run(TEMPLATE, values);
      again.push(performance.now() - started);
      if (rerun.status !== 'completed') throw new Error(`re-running onboarding ${project} ended ${rerun.status}: ${rerun.error}`);
      rerunWrites = emulator.requests.mutating();
      rerunRequests = emulator.requests.entries().length;
    }
    const firstTimings = summarize(first);
    const againTimings = summarize(again);
    return {
      title: `(c) Project onboarding template, ${options.latencyMs} ms upstream latency`,
      rows: [
        {
          scenario: 'c',
          metric: `Onboarding end to end, p50 (n=${runs})`,
          luban: `${ms(firstTimings.p50)} first run; ${ms(againTimings.p50)} re-run`,
          baseline: '',
          target: '',
          note: `first run: ${firstWrites.length} writes (${bySystem(firstWrites)}); re-run: ${rerunRequests} requests, reads only`,
        },
        {
          scenario: 'c',
          metric: 'Mutating upstream calls on the re-run',
          luban: `${rerunWrites.length}${rerunWrites.length ? ` (${rerunWrites.map(r => `${r.system} ${r.method} ${r.path}`).join('; ')})` : ''}`,
          baseline: `${firstWrites.length} (the first run)`,
          target: '0',
          met: rerunWrites.length === 0,
        },
      ],
      notes: [
        'The onboarding template (namespaces, Harbor project and robot, GitOps repository and its push webhook, Argo CD AppProject, catalog registration) ' +
          'run as a scaffolder task in a backend with the real catalog and scaffolder, then submitted again with the same form values. ' +
          `Every upstream request waits ${options.latencyMs} ms. Writes are POST, PUT, PATCH and DELETE requests in the emulator's request log ` +
          '(git pushes included); the re-run ends with a completed task.',
      ],
    };
  } finally {
    await emulator.stop();
  }
}
