import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import type { JsonObject } from '@backstage/types';
import type { RunningEmulator } from '@luban-backstage/emulator';
import { projectRecordAnnotations } from '@luban-backstage/plugin-luban-node';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import scaffolderModuleLuban from '../index';
import { authorizationOf, permissionsFactory, userInfoFactory } from './users';

/** A template's steps, as in template.yaml. */
export type TemplateSteps = Array<{ id: string; name?: string; action: string; input?: JsonObject }>;

/** What a finished scaffolder task shows its user. */
export interface TaskResult {
  status: 'completed' | 'failed' | 'cancelled';
  /** Each step's outputs, by step id. */
  output: Record<string, any>;
  /** The task log, one message per line. */
  log: string[];
  error?: string;
}

/**
 * A project as onboarding leaves its record (the annotations of its `ci-`
 * Namespace), for suites that start after onboarding; the mock user is a
 * member of `owner` (see users.ts).
 */
export function recordProject(emulator: RunningEmulator, project: string, owner = 'group:default/payments-team') {
  emulator.kubernetes.create('namespaces', {
    metadata: {
      name: `ci-${project}`,
      labels: { 'luban.dev/project': project, 'app.kubernetes.io/managed-by': 'luban-backstage' },
      annotations: projectRecordAnnotations({ owner }),
    },
  });
}

/** The configuration that points luban at a running emulator. */
export function emulatorConfig(emulator: RunningEmulator): JsonObject {
  return {
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'emulator',
              url: emulator.kubernetes.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: emulator.token,
              caData: Buffer.from(emulator.kubernetes.caCert).toString('base64'),
            },
          ],
        },
      ],
    },
    integrations: {
      github: [
        { host: new URL(emulator.github.url).host, apiBaseUrl: emulator.github.apiBaseUrl, token: emulator.token },
        // Parsed by the examples; no test calls it.
        { host: 'github.com', token: 'unused' },
      ],
      azure: [
        { host: new URL(emulator.azure.url).host, credentials: [{ personalAccessToken: emulator.token }] },
        { host: 'dev.azure.com', credentials: [{ personalAccessToken: 'unused' }] },
      ],
    },
    luban: {
      // No suite waits for a client timeout (a fault drops the connection
      // instead), so this only has to outlast a slow answer on a loaded
      // 2-core machine.
      requestTimeoutSeconds: 60,
      harbor: { baseUrl: emulator.harbor.url, username: emulator.harbor.username, password: emulator.harbor.password },
    },
  };
}

function templateEntity(name: string, steps: TemplateSteps) {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'test',
      owner: 'group:default/platform-team',
      parameters: [],
      steps,
      // Every step's outputs, under its id, as the task's output.
      output: Object.fromEntries(steps.map(step => [step.id, `\${{ steps['${step.id}'].output }}`])),
    },
  };
}

/** The Authorization header of the mock user every test acts as. */
export const USER_AUTHORIZATION = `Bearer ${mockCredentials.user.token()}`;

/** Runs a catalog template as a scaffolder task, as the Create page does, and waits for it to finish. */
export async function runTask(
  server: Parameters<typeof request>[0],
  templateRef: string,
  values: JsonObject,
  auth: string = USER_AUTHORIZATION,
): Promise<TaskResult> {
  const created = await request(server).post('/api/scaffolder/v2/tasks').set('Authorization', auth).send({ templateRef, values });
  if (created.status !== 201) {
    throw new Error(`task not created: ${created.status} ${JSON.stringify(created.body)}`);
  }
  // The event stream polls once a second; the task's status answers at once.
  let status: TaskResult['status'] | undefined;
  while (!status) {
    const task = await request(server).get(`/api/scaffolder/v2/tasks/${created.body.id}`).set('Authorization', auth);
    if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
      status = task.body.status;
    } else {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
  }
  const events: Array<{ type: string; body: any }> = (
    await request(server).get(`/api/scaffolder/v2/tasks/${created.body.id}/events`).set('Authorization', auth)
  ).body;
  const completion = events.find(e => e.type === 'completion');
  return {
    status,
    output: completion?.body.output ?? {},
    log: events.filter(e => e.type === 'log').map(e => e.body.message),
    error:
      events
        .filter(e => e.type === 'log' && e.body.status === 'failed')
        .map(e => e.body.message)
        .join('\n') || undefined,
  };
}

/**
 * Starts a backend with the real scaffolder, this module and the given
 * config, with one catalog Template per entry of `templates`.
 */
export async function startScaffolder(options: { config: JsonObject; templates: Record<string, TemplateSteps> }) {
  const { server } = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleLuban,
      userInfoFactory,
      permissionsFactory,
      mockServices.rootConfig.factory({ data: options.config }),
      catalogServiceMock.factory({
        entities: Object.entries(options.templates).map(([name, steps]) => templateEntity(name, steps)) as any,
      }),
    ],
  });
  const auth = USER_AUTHORIZATION;

  return {
    /** Runs a catalog template as a task, as `user` (default: the mock user), and waits for it to finish. */
    run: (template: string, values: JsonObject = {}, user?: string) =>
      runTask(server, `template:default/${template}`, values, user ? authorizationOf(user) : auth),

    /** Runs steps through the scaffolder's dry-run API, as the template editor does, as `user` (default: the mock user). */
    async dryRun(steps: TemplateSteps, values: JsonObject = {}, user?: string) {
      const response = await request(server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', user ? authorizationOf(user) : auth)
        .send({ template: templateEntity('dry-run', steps), values, directoryContents: [] });
      return {
        status: response.status,
        output: response.body.output ?? {},
        log: (response.body.log ?? []).map((l: { body: { message: string } }) => l.body.message) as string[],
        body: response.body,
      };
    },
  };
}

/** How many faults a convergence suite injected, by kind, over how many distinct write points. */
export interface FaultCounts {
  /** The mutating calls of the clean run, each faulted once per kind. */
  points: number;
  /** Answered 503: the system refused the write. */
  refused: number;
  /** The connection dropped before the write was applied (a timeout, without waiting for one). */
  timedOut: number;
  /** The write was applied, then the connection dropped before its answer (the idempotency case). */
  lost: number;
}

const FAULT_KINDS = [
  ['refused', 503],
  ['timedOut', 'reset'],
  ['lost', 'lost'],
] as const;

/** A RegExp that matches exactly this path (without its query), as the emulator's fault rules match. */
function exactPath(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/**
 * Every git repository of the emulator with its branches and commit count,
 * so a run that commits twice, opens a second branch or creates a second
 * repository differs from the clean run even when the files agree.
 */
async function gitCensus(emulator: RunningEmulator): Promise<Record<string, unknown>> {
  const root = dirname(emulator.git.pathOf('census.git'));
  const repositories: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.filter(e => e.isDirectory())) {
      if (entry.name.endsWith('.git')) repositories.push(`${prefix}${entry.name}`);
      else await walk(join(dir, entry.name), `${prefix}${entry.name}/`);
    }
  };
  await walk(root, '');
  const census: Record<string, unknown> = {};
  for (const repository of repositories.sort()) {
    const refs = await emulator.git.refs(repository);
    const commits = new Set<string>();
    for (const sha of refs.values()) {
      for (const commit of await emulator.git.log(repository, sha)) commits.add(commit.sha);
    }
    census[repository] = { refs: [...refs.keys()].sort(), commits: commits.size };
  }
  return census;
}

/**
 * Faults each mutating upstream call of a clean run in turn — exactly that
 * call: its system, method and exact path, at its occurrence among the clean
 * run's identical calls — once per kind: refused (503), timed out before
 * applying (`reset`) and applied with the answer lost (`lost`). The faulted
 * run may fail, or complete where a client retries safely; the re-run must
 * complete and leave what the clean run left (the suite's `state` and every
 * git repository's branches and commit count, so a duplicate shows).
 * Expects every injected fault to have been met.
 */
export async function expectConvergenceAfterEachFault(options: {
  emulator: RunningEmulator;
  /** Brings the systems to the state before the run (after a reset). */
  setup?: () => Promise<void>;
  run: () => Promise<TaskResult>;
  /** What a user would compare: the objects the run leaves behind (list them, so a duplicate shows). */
  state: () => Promise<unknown> | unknown;
}): Promise<FaultCounts> {
  const { emulator, run } = options;
  const prepare = async () => {
    await emulator.reset();
    await options.setup?.();
    emulator.requests.clear();
  };
  const snapshot = async () => ({ state: await options.state(), git: await gitCensus(emulator) });
  await prepare();
  const clean = await run();
  if (clean.status !== 'completed') throw new Error(`the clean run failed: ${clean.error}`);
  const expected = await snapshot();
  const calls = emulator.requests.mutating();
  const counts: FaultCounts = { points: calls.length, refused: 0, timedOut: 0, lost: 0 };
  const seen = new Map<string, number>();
  for (const call of calls) {
    const path = call.path.split('?')[0];
    const key = `${call.system} ${call.method} ${path}`;
    const nth = (seen.get(key) ?? 0) + 1;
    seen.set(key, nth);
    for (const [kind, status] of FAULT_KINDS) {
      await prepare();
      const rule = { system: call.system, method: call.method, path: exactPath(path), nth };
      const remove = emulator.faults.fail({ ...rule, status });
      const faulted = await run();
      remove();
      const met = emulator.requests.entries(call.system).filter(r => r.method === call.method && r.path.split('?')[0] === path).length;
      const rerun = await run();
      const where = `${kind} at ${call.method} ${path} #${nth}`;
      expect({ where, met: met >= nth, faulted: faulted.status !== 'cancelled', rerun: rerun.status, rerunError: rerun.error }).toEqual({
        where,
        met: true,
        faulted: true,
        rerun: 'completed',
        rerunError: undefined,
      });
      expect({ where, ...(await snapshot()) }).toEqual({ where, ...expected });
      counts[kind] += 1;
    }
  }
  return counts;
}

/** An example's steps with github.com and dev.azure.com pointed at the emulator. */
export function stepsOnEmulator(example: string, emulator: RunningEmulator): TemplateSteps {
  const text = example
    .replace(/github\.com/g, new URL(emulator.github.url).host)
    .replace(/dev\.azure\.com/g, new URL(emulator.azure.url).host);
  return yaml.parse(text).steps;
}
