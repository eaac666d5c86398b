import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import { emulatorConfig, startScaffolder, type TemplateSteps } from './__testUtils__/harness';

const MOCK = 'user:default/mock'; // in payments-team (and the other teams the suites use)
const MALLORY = 'user:default/mallory'; // only in rogue-team
const ADMIN = 'user:default/admin'; // in platform-team, the platform admins

/** Steps that take their inputs from the task's parameters, so one template serves every user. */
const templates: Record<string, TemplateSteps> = {
  onboard: [
    { id: 'names', action: 'luban:project:validate', input: { project: '${{ parameters.project }}', owner: '${{ parameters.owner }}' } },
    { id: 'namespaces', action: 'luban:project:namespaces', input: { project: '${{ parameters.project }}', owner: '${{ parameters.owner }}' } },
  ],
  harbor: [{ id: 'harbor', action: 'luban:harbor:project', input: { project: '${{ parameters.project }}' } }],
  gitops: [
    {
      id: 'gitops',
      action: 'luban:gitops:repo',
      input: { project: '${{ parameters.project }}', owner: '${{ parameters.owner }}', gitopsRepoUrl: '${{ parameters.gitopsRepoUrl }}' },
    },
  ],
  argocd: [
    { id: 'argocd', action: 'luban:argocd:project', input: { project: '${{ parameters.project }}', gitopsRepoUrl: '${{ parameters.gitopsRepoUrl }}' } },
  ],
  // The steps of the Python app template that reach the platform's build side.
  app: [
    {
      id: 'names',
      action: 'luban:project:validate',
      input: { project: '${{ parameters.project }}', apps: ['${{ parameters.app }}'], sourceRepoUrl: '${{ parameters.repoUrl }}' },
    },
    {
      id: 'image',
      action: 'luban:kpack:image',
      input: { project: '${{ parameters.project }}', app: '${{ parameters.app }}', sourceRepoUrl: '${{ parameters.repoUrl }}' },
    },
  ],
  image: [
    {
      id: 'image',
      action: 'luban:kpack:image',
      input: { project: '${{ parameters.project }}', app: '${{ parameters.app }}', sourceRepoUrl: '${{ parameters.repoUrl }}' },
    },
  ],
};

describe('the tenant boundary of the scaffolder actions: a user acts only in projects their group owns', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  let github: string;

  const ownerSubjects = () =>
    emulator.kubernetes
      .list('rolebindings')
      .filter(b => b.metadata.name.startsWith('luban-owner-'))
      .map(b => [b.metadata.namespace, b.subjects]);
  const recordOf = (project: string) =>
    emulator.kubernetes.list('namespaces').find(n => n.metadata.name === `ci-${project}`)?.metadata.annotations ?? {};

  /** payments, onboarded by a member of payments-team: namespaces, GitOps repository, Argo CD project and the ledger-api Image. */
  async function onboardPayments() {
    const project = 'payments';
    const gitopsRepoUrl = `${github}?owner=payments&repo=payments-gitops`;
    for (const [template, values] of [
      ['onboard', { project, owner: 'group:default/payments-team' }],
      ['gitops', { project, owner: 'group:default/payments-team', gitopsRepoUrl }],
      ['argocd', { project, gitopsRepoUrl }],
      ['app', { project, app: 'ledger-api', repoUrl: `${github}?owner=payments&repo=ledger-api` }],
    ] as const) {
      const result = await scaffolder.run(template, values, MOCK);
      expect({ template, error: result.error }).toEqual({ template, error: undefined });
    }
  }

  /** Runs a template as a user and expects it refused with `message`, having changed nothing on the platform. */
  async function expectRefused(template: string, values: Record<string, any>, user: string, message: RegExp) {
    emulator.requests.clear();
    const result = await scaffolder.run(template, values, user);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(message);
    expect(emulator.requests.mutating()).toEqual([]);
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    github = new URL(emulator.github.url).host;
    scaffolder = await startScaffolder({ config: emulatorConfig(emulator), templates });
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
  });

  it('refuses to onboard a project for a group the user is not in, in the first step and in a dry run', async () => {
    const values = { project: 'orders', owner: 'group:default/payments-team' };
    await expectRefused('onboard', values, MALLORY, /NotAllowedError: user:default\/mallory may not create project 'orders' for group:default\/payments-team/);
    const dryRun = await scaffolder.dryRun(templates.onboard, values, MALLORY);
    expect(JSON.stringify(dryRun.body)).toContain('may not create project');
    expect(emulator.requests.mutating()).toEqual([]);
    expect(emulator.kubernetes.list('namespaces').map(n => n.metadata.name)).toEqual(['argocd']);
  });

  it("refuses to re-run onboarding of another group's project with the user's own group as owner: the RoleBindings keep their subjects", async () => {
    await onboardPayments();
    const before = ownerSubjects();
    await expectRefused(
      'onboard',
      { project: 'payments', owner: 'group:default/rogue-team' },
      MALLORY,
      /Project 'payments' is owned by group:default\/payments-team; user:default\/mallory is not a member of it/,
    );
    expect(ownerSubjects()).toEqual(before);
    expect(recordOf('payments')['luban.dev/owner']).toBe('group:default/payments-team');
  });

  it("refuses the Python app template pointing an existing Image at another repository: another team's, or the owner's own", async () => {
    await onboardPayments();
    const values = { project: 'payments', app: 'ledger-api', repoUrl: `${github}?owner=rogue&repo=ledger-api` };
    await expectRefused('app', values, MALLORY, /Project 'payments' is owned by group:default\/payments-team; user:default\/mallory is not a member/);
    await expectRefused('image', values, MOCK, /Image ci-payments\/ledger-api .* has the source repository .*payments\/ledger-api\.git", not .*rogue\/ledger-api\.git"; luban does not re-point it/);
    const [image] = emulator.kubernetes.list('images');
    expect(image.spec.source.git.url).toBe(`${emulator.github.url}/payments/ledger-api.git`);
  });

  it("refuses to re-run with another GitOps repository: the AppProject's sourceRepos stay the project's", async () => {
    await onboardPayments();
    const gitopsRepoUrl = `${github}?owner=rogue&repo=payments-gitops`;
    await expectRefused('argocd', { project: 'payments', gitopsRepoUrl }, MALLORY, /is owned by group:default\/payments-team; user:default\/mallory is not a member/);
    const recorded = `${emulator.github.url}/payments/payments-gitops`;
    const differs = new RegExp(`has the GitOps repository ${recorded}, not ${emulator.github.url}/rogue/payments-gitops`);
    await expectRefused('argocd', { project: 'payments', gitopsRepoUrl }, MOCK, differs);
    await expectRefused('gitops', { project: 'payments', owner: 'group:default/payments-team', gitopsRepoUrl }, MOCK, differs);
    const appProject = emulator.kubernetes.list('appprojects', 'argocd').find(p => p.metadata.name === 'payments');
    expect(appProject?.spec.sourceRepos).toEqual([`${recorded}.git`]);
    expect(recordOf('payments')['luban.dev/gitops-repository']).toBe(recorded);
  });

  it('refuses luban:harbor:project adopting an existing Harbor project (library), even in a project the user onboarded', async () => {
    expect((await scaffolder.run('onboard', { project: 'library', owner: 'group:default/rogue-team' }, MALLORY)).error).toBeUndefined();
    await expectRefused('harbor', { project: 'library' }, MALLORY, /Harbor project 'library' already exists .*luban does not adopt/);
    expect(emulator.kubernetes.list('secrets').filter(s => s.type === 'kubernetes.io/dockerconfigjson')).toEqual([]);
  });

  it("lets a member of the owner group re-run the project's steps, changing nothing", async () => {
    await onboardPayments();
    emulator.requests.clear();
    const rerun = await scaffolder.run('onboard', { project: 'payments', owner: 'payments-team' }, MOCK);
    expect(rerun.error).toBeUndefined();
    expect(new Set(Object.values(rerun.output.namespaces.results))).toEqual(new Set(['unchanged']));
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it("lets a platform admin change a project's owner: the record and the RoleBindings follow the new owner", async () => {
    await onboardPayments();
    const result = await scaffolder.run('onboard', { project: 'payments', owner: 'group:default/treasury-team' }, ADMIN);
    expect(result.error).toBeUndefined();
    expect(recordOf('payments')['luban.dev/owner']).toBe('group:default/treasury-team');
    expect(ownerSubjects().map(([, subjects]) => subjects)).toEqual(
      Array(3).fill([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'treasury-team' }]),
    );
    // The old owner's members are now refused.
    await expectRefused('argocd', { project: 'payments', gitopsRepoUrl: `${github}?owner=payments&repo=payments-gitops` }, MOCK, /is owned by group:default\/treasury-team; user:default\/mock is not a member/);
  });
});
