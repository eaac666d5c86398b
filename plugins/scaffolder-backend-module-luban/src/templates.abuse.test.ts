import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { coreServices, createServiceFactory, type RootLoggerService } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import type { JsonObject } from '@backstage/types';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import request from 'supertest';
import yaml from 'yaml';
import { emulatorConfig, runTask, USER_AUTHORIZATION, type TaskResult } from './__testUtils__/harness';
import { startTemplateBackend } from './__testUtils__/templateBackend';
import scaffolderModuleLuban from './index';

/** Every line the backend logs, with its metadata rendered as a person reading the log would see it. */
function capturingRootLogger(lines: string[]) {
  const logger = (fields: object): RootLoggerService => {
    const log = (level: string) => (message: string, meta?: unknown) => {
      lines.push(`${level} ${message} ${inspect({ ...fields, meta }, { depth: 10, breakLength: Infinity })}`);
    };
    return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), child: meta => logger({ ...fields, ...meta }) };
  };
  return createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => logger({}) });
}

/** A server on a host no integration names: any request it gets is a request luban should not have made. */
async function startTrap(requests: string[]): Promise<{ server: Server; host: string }> {
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.end('{}');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the templates asked to reach hosts no integration names, or given hostile names', () => {
  let emulator: RunningEmulator;
  let backend: Awaited<ReturnType<typeof startTemplateBackend>>;
  let trap: Awaited<ReturnType<typeof startTrap>>;
  const trapped: string[] = [];
  let github: string;

  /** Creates a task as the Create page would; a refusal at creation (400) is as good as a failed task. */
  async function attempt(template: string, values: JsonObject): Promise<{ created: number; result?: TaskResult }> {
    await backend.waitForEntity('template', template);
    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', USER_AUTHORIZATION)
      .send({ templateRef: `template:default/${template}`, values });
    if (created.status !== 201) return { created: created.status };
    return { created: 201, result: await runTask(backend.server, `template:default/${template}`, values) };
  }

  beforeAll(async () => {
    trap = await startTrap(trapped);
    emulator = await startEmulator({ buildStepMs: 1 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
    github = new URL(emulator.github.url).host;
    const config = emulatorConfig(emulator) as any;
    backend = await startTemplateBackend(config);
    // A project whose catalog entry someone edited to send its GitOps repository to the trap.
    await emulator.github.api.createRepository('rogue', 'rogue-gitops', {
      files: {
        'catalog-info.yaml': yaml.stringify({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'System',
          metadata: {
            name: 'rogue',
            annotations: { 'luban.dev/project': 'rogue', 'luban.dev/gitops-repo': `http://${trap.host}/rogue/rogue-gitops` },
          },
          spec: { owner: 'group:default/rogue-team' },
        }),
      },
    });
    const registered = await request(backend.server)
      .post('/api/catalog/locations')
      .set('Authorization', USER_AUTHORIZATION)
      .send({ type: 'url', target: `${emulator.github.url}/rogue/rogue-gitops/blob/main/catalog-info.yaml` });
    if (registered.status !== 201) throw new Error(`the rogue project was not registered: ${registered.status} ${registered.text}`);
    await backend.waitForEntity('system', 'rogue');
  });
  afterAll(async () => {
    await emulator?.stop();
    trap?.server.close();
  });

  const unconfiguredHosts = () => [
    `${trap.host}?owner=orders&repo=orders-gitops`,
    '169.254.169.254?owner=latest&repo=meta-data',
    'metadata.google.internal?owner=computeMetadata&repo=v1',
    'localhost:7007?owner=api&repo=catalog',
    '[::1]:7007?owner=api&repo=catalog',
    'evil.example.com?owner=orders&repo=orders-gitops',
    `${github}.evil.example.com?owner=orders&repo=orders-gitops`,
    `evil.example.com@${github}?owner=orders&repo=orders-gitops`,
  ];

  const cases = (): Array<[string, string, JsonObject]> => [
    ...unconfiguredHosts().map(
      url => [`onboarding to ${url.split('?')[0]}`, 'luban-project-onboarding', { project: 'orders', owner: 'group:default/orders-team', gitopsRepoUrl: url }] as [string, string, JsonObject],
    ),
    ...unconfiguredHosts().map(
      url => [`a Python app on ${url.split('?')[0]}`, 'luban-python-app', { app: 'order-api', project: 'system:default/rogue', repoUrl: url }] as [string, string, JsonObject],
    ),
    ['a Python app in a project whose GitOps repository is on the trap', 'luban-python-app', { app: 'order-api', project: 'system:default/rogue', repoUrl: `${github}?owner=rogue&repo=order-api` }],
    ['a Dagster platform in a project whose GitOps repository is on the trap', 'luban-dagster-platform', { project: 'system:default/rogue' }],
    ['onboarding to a repository that climbs out of its owner', 'luban-project-onboarding', { project: 'orders', owner: 'group:default/orders-team', gitopsRepoUrl: `${github}?owner=..&repo=orders-gitops` }],
    ['onboarding to a repository named with a shell command', 'luban-project-onboarding', { project: 'orders', owner: 'group:default/orders-team', gitopsRepoUrl: `${github}?owner=orders&repo=$(id)` }],
    ...['$(id)', '`id`', 'orders;id', '../orders', 'orders\nx', 'оrders', 'ORDERS', 'orders ', 'x'.repeat(31)].map(
      project => [`onboarding a project named ${JSON.stringify(project).slice(0, 20)}`, 'luban-project-onboarding', { project, owner: 'group:default/orders-team', gitopsRepoUrl: `${github}?owner=orders&repo=orders-gitops` }] as [string, string, JsonObject],
    ),
    ...['$(id)', 'api;id', '../api', 'api\nx', 'аpi', 'API'].map(
      app => [`a Python app named ${JSON.stringify(app)}`, 'luban-python-app', { app, project: 'system:default/rogue', repoUrl: `${github}?owner=rogue&repo=api` }] as [string, string, JsonObject],
    ),
    ['onboarding with an owner that is a user', 'luban-project-onboarding', { project: 'orders', owner: 'user:default/mallory', gitopsRepoUrl: `${github}?owner=orders&repo=orders-gitops` }],
  ];

  it('refuses every one before any request leaves for the host it names, and before any write anywhere', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(30);
    emulator.requests.clear();
    const accepted: string[] = [];
    for (const [label, template, values] of all) {
      const { created, result } = await attempt(template, values);
      // Refused by luban's input checks, not failed for some other reason on the way.
      if (created === 201 && (result?.status !== 'failed' || !/InputError/.test(result.error ?? ''))) {
        accepted.push(`${label}: ${result?.status} ${result?.error ?? ''}`);
      }
      if (created !== 201 && created !== 400) accepted.push(`${label}: task creation answered ${created}`);
    }
    expect(accepted).toEqual([]);
    expect(trapped).toEqual([]);
    expect(emulator.requests.mutating()).toEqual([]);
  }, 120_000);
});

describe('secrets of the templates: the Harbor robot secret, the webhook secret, the git token', () => {
  const token = `token-canary-${randomBytes(12).toString('hex')}`;
  const webhookSecret = `webhook-canary-${randomBytes(12).toString('hex')}`;
  const logLines: string[] = [];
  const shown: string[] = [];
  let emulator: RunningEmulator;
  let server: Parameters<typeof request>[0];
  let receiver: Awaited<ReturnType<typeof startTrap>>;

  const steps = {
    namespaces: [{ id: 'namespaces', action: 'luban:project:namespaces', input: { project: 'vault', owner: 'vault-team' } }],
    harbor: [{ id: 'harbor', action: 'luban:harbor:project', input: { project: 'vault' } }],
    gitops: [{ id: 'gitops', action: 'luban:gitops:repo', input: { project: 'vault', owner: 'vault-team', gitopsRepoUrl: '${{ parameters.gitopsRepoUrl }}' } }],
    webhook: [{ id: 'webhook', action: 'luban:webhook:register', input: { repoUrl: '${{ parameters.gitopsRepoUrl }}' } }],
  };
  const run = async (template: keyof typeof steps, values: JsonObject = {}) => {
    const result = await runTask(server, `template:default/${template}`, values);
    shown.push(JSON.stringify(result));
    return result;
  };

  beforeAll(async () => {
    receiver = await startTrap([]);
    emulator = await startEmulator({ token });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    const config = emulatorConfig(emulator) as any;
    config.luban.webhooks = { targetBaseUrl: `http://${receiver.host}/api/events/http`, secret: webhookSecret };
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleLuban,
        capturingRootLogger(logLines),
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({
          entities: Object.entries(steps).map(([name, templateSteps]) => ({
            apiVersion: 'scaffolder.backstage.io/v1beta3',
            kind: 'Template',
            metadata: { name, namespace: 'default' },
            spec: { type: 'test', owner: 'group:default/platform-team', parameters: [], steps: templateSteps, output: {} },
          })) as any,
        }),
      ],
    });
    server = backend.server;
  });
  afterAll(async () => {
    await emulator?.stop();
    receiver?.server.close();
  });

  it('never shows them in task output, task logs, errors, API answers or the backend log, whether a step succeeds or fails', async () => {
    const gitopsRepoUrl = `${new URL(emulator.github.url).host}?owner=vault&repo=vault-gitops`;
    expect((await run('namespaces')).status).toBe('completed');
    // Fail each step once where it handles a secret, then let it succeed.
    const failures = [
      { template: 'harbor', fault: { system: 'harbor', method: 'POST', path: '/api/v2.0/robots', status: 503 } },
      { template: 'harbor', fault: { system: 'kubernetes', method: 'POST', path: '/secrets', status: 'reset' } },
      { template: 'harbor', fault: { system: 'harbor', path: '', status: 401 } },
      { template: 'gitops', fault: { system: 'github', path: '', status: 401 } },
      { template: 'webhook', fault: { system: 'github', method: 'POST', path: '/hooks', status: 422 } },
      { template: 'webhook', fault: { system: 'github', path: '', status: 'reset' } },
    ] as const;
    for (const { template, fault } of failures) {
      const restore = emulator.faults.fail({ ...fault, times: Infinity });
      expect({ template, fault, status: (await run(template, { gitopsRepoUrl })).status }).toEqual({ template, fault, status: 'failed' });
      restore();
    }
    for (const template of ['harbor', 'gitops', 'webhook'] as const) {
      const result = await run(template, { gitopsRepoUrl });
      expect({ template, status: result.status, error: result.error }).toEqual({ template, status: 'completed', error: undefined });
    }
    // The task API's answers too: the task, its events, the list of tasks.
    for (const path of ['/api/scaffolder/v2/tasks', '/api/scaffolder/v2/actions']) {
      shown.push((await request(server).get(path).set('Authorization', USER_AUTHORIZATION)).text);
    }

    // The push robot's secret (in ci-vault) and the pull robot's (in the environment namespaces).
    const robots = ['ci-vault', 'snd-vault'].map(namespace => {
      const pullSecret = emulator.kubernetes.list('secrets', namespace).find(s => s.type === 'kubernetes.io/dockerconfigjson')!;
      const dockerConfig = JSON.parse(Buffer.from(pullSecret.data['.dockerconfigjson'], 'base64').toString());
      return Object.values<{ password: string; auth: string }>(dockerConfig.auths)[0];
    });
    for (const robot of robots) expect(robot.password.length).toBeGreaterThan(16);

    const secrets = [
      ...robots.flatMap(robot => [robot.password, robot.auth, Buffer.from(robot.password).toString('base64')]),
      webhookSecret,
      token,
      Buffer.from(`admin:${token}`).toString('base64'),
      Buffer.from(`:${token}`).toString('base64'),
      Buffer.from(`x-access-token:${token}`).toString('base64'),
    ];
    expect(shown.join('\n')).toContain('failed');
    expect(logLines.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(shown.filter(text => text.includes(secret)).map(text => text.slice(0, 200))).toEqual([]);
      expect(logLines.filter(line => line.includes(secret)).map(line => line.slice(0, 200))).toEqual([]);
    }
  }, 120_000);
});
