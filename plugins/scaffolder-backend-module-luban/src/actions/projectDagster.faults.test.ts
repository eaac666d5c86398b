import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import {
  emulatorConfig,
  expectConvergenceAfterEachFault,
  recordProject,
  startScaffolder,
  stepsOnEmulator,
} from '../__testUtils__/harness';
import type { Manifest } from '../__testUtils__/manifests';
import { repositoryFiles } from '../__testUtils__/templateBackend';
import { examples as instanceExamples } from './dagsterInstance.examples';
import { examples as locationExamples } from './dagsterLocation.examples';
import { examples as platformExamples } from './dagsterPlatform.examples';
import { examples as repoExamples } from './gitopsRepo.examples';

const GITOPS = { github: 'github/payments/payments-gitops.git', azure: 'azure/luban/payments/payments-gitops.git' };
/** Each test faults every write of one template, three ways each: longer than one test usually takes, on a loaded 2-core machine. */
const CONVERGENCE_TIMEOUT_MS = 420_000;

/**
 * The project and Dagster actions of projectDagster.test.ts, each write of
 * each faulted in turn: refused, timed out, applied with its answer lost.
 * A file of its own, so that jest runs it beside the rest of the suite.
 */
describe('the project and Dagster actions when a write fails', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;

  const objects = (plural: string) => emulator.kubernetes.list(plural) as Manifest[];
  const files = async (repository: string): Promise<Record<string, string>> =>
    (await emulator.git.exists(repository)) ? repositoryFiles(emulator, repository) : {};
  const namespaces = async () => {
    for (const name of ['argocd', 'snd-payments', 'prd-payments']) {
      emulator.kubernetes.create('namespaces', { metadata: { name } });
    }
    recordProject(emulator, 'payments');
    await emulator.azure.api.createProject('luban', 'payments');
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    scaffolder = await startScaffolder({
      config: emulatorConfig(emulator),
      templates: {
        'repo-github': stepsOnEmulator(repoExamples[0].example, emulator),
        'repo-azure': stepsOnEmulator(repoExamples[1].example, emulator),
        instance: stepsOnEmulator(instanceExamples[0].example, emulator).map(step => ({
          ...step,
          input: { ...step.input, environments: '${{ parameters.environments }}' },
        })),
        'platform-github': stepsOnEmulator(platformExamples[0].example, emulator),
        location: stepsOnEmulator(locationExamples[0].example, emulator),
      },
    });
  });
  afterAll(() => emulator.stop());

  // GitHub: repository, tree/commit/ref of the descriptor, branch protection; Azure DevOps: repository, initial push,
  // descriptor push, the minimum-reviewers policy; on each, the project record's GitOps repository (issue 17).
  it.each([
    ['GitHub', 'repo-github', GITOPS.github, 6],
    ['Azure DevOps', 'repo-azure', GITOPS.azure, 5],
  ])('luban:gitops:repo converges after a failure of any one of its writes on %s', async (_host, template, repository, points) => {
    const counts = await expectConvergenceAfterEachFault({ emulator, setup: namespaces, run: () => scaffolder.run(template), state: () => files(repository) });
    expect(counts).toEqual({ points, refused: points, timedOut: points, lost: points });
  }, CONVERGENCE_TIMEOUT_MS);

  it('luban:dagster:instance converges after a failure of any one of its writes', async () => {
    const state = () =>
      ['secrets', 'serviceaccounts', 'roles', 'rolebindings']
        .flatMap(objects)
        .map(o => ({ kind: o.kind, ns: o.metadata.namespace, name: o.metadata.name, labels: o.metadata.labels }));
    // Secret, ServiceAccount, Role, RoleBinding (of one namespace: the others are written the same way).
    const run = () => scaffolder.run('instance', { environments: ['snd'] });
    expect(await expectConvergenceAfterEachFault({ emulator, setup: namespaces, run, state })).toEqual({ points: 4, refused: 4, timedOut: 4, lost: 4 });
  }, CONVERGENCE_TIMEOUT_MS);

  it('luban:dagster:platform converges after a failure of any one of its writes', async () => {
    const platform = await expectConvergenceAfterEachFault({
      emulator,
      setup: namespaces,
      run: () => scaffolder.run('platform-github'),
      state: () => files(GITOPS.github),
    });
    // The repository, then tree/commit/ref of its files.
    expect(platform).toEqual({ points: 4, refused: 4, timedOut: 4, lost: 4 });
  }, CONVERGENCE_TIMEOUT_MS);

  it('luban:dagster:location converges after a failure of any one of its writes', async () => {
    const location = await expectConvergenceAfterEachFault({
      emulator,
      setup: async () => {
        await namespaces();
        await emulator.github.api.createRepository('payments', 'payments-gitops', {
          files: Object.fromEntries(['snd', 'prd'].map(env => [`apps/dagster/overlays/${env}/workspace.yaml`, 'load_from: []\n'])),
        });
      },
      run: () => scaffolder.run('location'),
      state: () => files(GITOPS.github),
    });
    // Tree/commit/ref of both workspaces.
    expect(location).toEqual({ points: 3, refused: 3, timedOut: 3, lost: 3 });
  }, CONVERGENCE_TIMEOUT_MS);
});
