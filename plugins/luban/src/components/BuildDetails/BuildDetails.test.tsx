import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import { screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { type LubanApi, lubanApiRef } from '../../api';
import {
  aBuild,
  backendError,
  fakeBuildLogs,
  fakeSignalApi,
  lubanEntity,
  stepsUpTo,
} from '../shared/__testUtils__';
import userEvent from '@testing-library/user-event';
import { BuildDetails, defaultLogStep } from './BuildDetails';

const entityRef = getCompoundEntityRef(lubanEntity());
const channel = 'luban:component:default/ledger-api';

function DetailsWithStepChoice(props: { buildName: string }) {
  const [step, setStep] = useState<string>();
  return (
    <BuildDetails
      entityRef={entityRef}
      buildName={props.buildName}
      step={step}
      onStepChange={setStep}
      backTo="?"
    />
  );
}

function renderDetails(
  lubanApi: Partial<LubanApi>,
  buildName = 'ledger-api-build-12',
) {
  const signals = fakeSignalApi();
  renderInTestApp(
    <TestApiProvider
      apis={[
        [
          lubanApiRef,
          { streamBuildLog: fakeBuildLogs().streamBuildLog, ...lubanApi },
        ],
        [signalApiRef, signals.api],
        mockApis.alert(),
      ]}
    >
      <DetailsWithStepChoice buildName={buildName} />
    </TestApiProvider>,
  );
  return { signals };
}

function runningBuild(runningStep: number): LubanBuild {
  return aBuild({
    name: 'ledger-api-build-13',
    number: 13,
    status: 'running',
    finishedAt: undefined,
    digest: undefined,
    registryUrl: undefined,
    steps: stepsUpTo(runningStep, 'running'),
  });
}

/** The description next to a term of the build's summary. */
function detail(term: string): HTMLElement {
  const dt = screen.getAllByRole('term').find(t => t.textContent === term);
  if (!dt?.nextElementSibling) throw new Error(`no detail '${term}'`);
  return dt.nextElementSibling as HTMLElement;
}

describe('defaultLogStep', () => {
  it('picks all steps while the build runs, else the first failed one, else all steps', () => {
    expect(defaultLogStep(runningBuild(4))).toBeUndefined();
    expect(
      defaultLogStep(
        aBuild({ status: 'failed', steps: stepsUpTo(5, 'failed') }),
      ),
    ).toBe('export');
    expect(defaultLogStep(aBuild())).toBeUndefined();
  });
});

describe('BuildDetails', () => {
  it('shows what the build is: status, reasons, commit, digest, builder and times', async () => {
    const build = aBuild({ reasons: ['COMMIT', 'BUILDPACK'] });
    const getBuild = jest.fn(async () => build);
    renderDetails({ getBuild });

    expect(
      await screen.findByRole('heading', { level: 2, name: 'Build #12' }),
    ).toBeInTheDocument();
    expect(getBuild).toHaveBeenCalledWith(entityRef, 'ledger-api-build-12');
    expect(screen.getAllByRole('term').map(term => term.textContent)).toEqual([
      'Status',
      'Reasons',
      'Commit',
      'Digest',
      'Vulnerabilities',
      'Builder',
      'Started',
      'Finished',
      'Duration',
    ]);
    expect(detail('Status')).toHaveTextContent('Succeeded');
    expect(detail('Reasons')).toHaveTextContent('COMMITBUILDPACK');
    expect(
      within(detail('Commit')).getByRole('link', { name: /Commit 0123456/ }),
    ).toHaveAttribute('href', build.commitUrl);
    expect(
      within(detail('Digest')).getByRole('link', {
        name: /Digest sha256:abcdef123456 in Harbor/,
      }),
    ).toHaveAttribute('href', build.registryUrl);
    expect(detail('Builder')).toHaveTextContent(
      'paketo-buildpacks/builder-jammy-base',
    );
    expect(
      within(detail('Started')).getByText(
        (_, element) => element?.tagName === 'TIME',
      ),
    ).toHaveAttribute('dateTime', '2024-05-03T10:00:00.000Z');
    expect(detail('Duration')).toHaveTextContent('1m 05s');
    expect(screen.getByRole('link', { name: 'All builds' })).toHaveAttribute(
      'href',
      '/',
    );
  });

  it("shows Harbor's scan of the digest with its page, and saves the SBOM read through the API", async () => {
    const user = userEvent.setup();
    const build = aBuild({
      vulnerabilities: {
        critical: 0,
        high: 3,
        medium: 1,
        low: 7,
        scanned: true,
        scanStatus: 'scanned',
        url: 'https://harbor.acme.test/harbor/projects/1/repositories/ledger-api/artifacts-tab/artifacts/sha256:abcdef',
        sbom: { state: 'ready', digest: `sha256:${'e'.repeat(64)}` },
      },
    });
    const getSbom = jest.fn(
      async () => new Blob(['{"spdxVersion":"SPDX-2.3"}']),
    );
    const saved: string[] = [];
    const originalCreate = URL.createObjectURL;
    URL.createObjectURL = () => 'blob:http://localhost/sbom';
    // jsdom cannot save files: record what the browser would save.
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        saved.push(this.download);
      });
    try {
      renderDetails({ getBuild: async () => build, getSbom });

      await screen.findByRole('heading', { level: 2, name: 'Build #12' });
      const scan = detail('Vulnerabilities');
      expect(scan).toHaveTextContent('0 critical, 3 high, 1 medium, 7 low');
      expect(
        within(scan).getByRole('link', { name: /Harbor/ }),
      ).toHaveAttribute('href', build.vulnerabilities!.url);

      await user.click(
        within(scan).getByRole('button', { name: 'Download SBOM' }),
      );

      await waitFor(() =>
        expect(saved).toEqual(['ledger-api-abcdef123456.spdx.json']),
      );
      expect(getSbom).toHaveBeenCalledWith(entityRef, build.digest);
    } finally {
      URL.createObjectURL = originalCreate;
      click.mockRestore();
    }
  }, 20_000);

  it('says when Harbor is still scanning a build and generating its SBOM', async () => {
    renderDetails({
      getBuild: async () =>
        aBuild({
          vulnerabilities: {
            critical: 0,
            high: 0,
            medium: 0,
            low: 0,
            scanned: false,
            scanStatus: 'scanning',
            sbom: { state: 'generating' },
          },
        }),
    });

    await screen.findByRole('heading', { level: 2, name: 'Build #12' });
    expect(detail('Vulnerabilities')).toHaveTextContent(
      'Scanning…SBOM being generated',
    );
    expect(screen.queryByRole('button', { name: 'Download SBOM' })).toBeNull();
  });

  it('shows the steps in order with their state and duration', async () => {
    renderDetails({ getBuild: async () => runningBuild(4) });

    const timeline = await screen.findByRole('list', { name: 'Build steps' });
    const steps = within(timeline).getAllByRole('listitem');
    expect(steps.map(step => step.textContent)).toEqual([
      'prepareSucceeded3s',
      'analyzeSucceeded4s',
      'detectSucceeded5s',
      'restoreSucceeded6s',
      'buildRunning1m 05s',
      'exportWaiting',
      'completionWaiting',
    ]);
    expect(steps[4]).toHaveAttribute('aria-current', 'step');
  });

  it('shows a rebase (STACK) build with its own steps', async () => {
    renderDetails({
      getBuild: async () => ({
        ...runningBuild(0),
        reasons: ['STACK'],
        steps: [
          { name: 'rebase', state: 'running', durationSeconds: 4 },
          { name: 'completion', state: 'waiting' },
        ],
      }),
    });

    const timeline = await screen.findByRole('list', { name: 'Build steps' });
    expect(
      within(timeline)
        .getAllByRole('listitem')
        .map(step => step.textContent),
    ).toEqual([
      'rebaseThe app, unchanged, put on the new run imageRunning4s',
      'completionWaiting',
    ]);
    const choice = screen.getByRole('combobox', { name: 'Step' });
    // Running, the log follows the whole build (both steps, in order).
    expect(choice).toHaveValue('all');
    expect(
      within(choice)
        .getAllByRole('option')
        .map(option => option.textContent),
    ).toEqual(['All steps', 'rebase (Running)', 'completion (Waiting)']);
  });

  it('says why a failed build failed and opens the log of the failed step', async () => {
    const logs = fakeBuildLogs({ export: 'ERROR: failed to export: denied\n' });
    renderDetails({
      getBuild: async () =>
        aBuild({
          status: 'failed',
          message: 'the export step failed: registry denied the push',
          digest: undefined,
          steps: stepsUpTo(5, 'failed'),
        }),
      streamBuildLog: logs.streamBuildLog,
    });

    expect(
      await screen.findByText(
        'the export step failed: registry denied the push',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Step' })).toHaveValue(
      'export',
    );
    expect(
      await screen.findByRole('log', { name: 'Log of build #12, step export' }),
    ).toHaveTextContent('ERROR: failed to export: denied');
  });

  // The backend streams every step in order under `--- <step> ---` headers
  // (luban-backend KpackBuildService.streamLog): one stream for the build.
  it('follows the whole build in one stream, marks the running step, and can be paused', async () => {
    const user = userEvent.setup();
    const logs = fakeBuildLogs();
    const getBuild = jest
      .fn<Promise<LubanBuild>, []>()
      .mockResolvedValueOnce(runningBuild(4))
      .mockResolvedValue(runningBuild(5));
    const { signals } = renderDetails(
      { getBuild, streamBuildLog: logs.streamBuildLog },
      'ledger-api-build-13',
    );

    await waitFor(() => expect(logs.followed).toHaveLength(1));
    expect(logs.latest().options).toMatchObject({ follow: true });
    expect(logs.latest().options.step).toBeUndefined();
    logs
      .latest()
      .write('--- detect ---\npass: python\n--- build ---\nInstalling uv\n');
    const log = screen.getByRole('log', {
      name: 'Log of build #13, all steps',
    });
    expect(log).toHaveTextContent('pass: python');
    expect(log).toHaveTextContent('Installing uv');
    const marked = () =>
      Array.from(log.querySelectorAll('[data-current-step]')).map(
        line => line.textContent,
      );
    expect(marked()).toEqual(['--- build ---\n', 'Installing uv\n']);

    // A signal moves the build on: the same stream goes on, export is marked.
    signals.publish(channel, {
      type: 'build',
      build: 'ledger-api-build-13',
      status: 'running',
    });
    await waitFor(() => expect(getBuild).toHaveBeenCalledTimes(2));
    logs.latest().write('--- export ---\n*** Digest: sha256:abc\n');
    await waitFor(() =>
      expect(marked()).toEqual([
        '--- export ---\n',
        '*** Digest: sha256:abc\n',
      ]),
    );
    expect(logs.followed).toHaveLength(1);

    // Paused, the view holds still while lines arrive; resumed, it catches up.
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    logs.latest().write('Reusing cache layer\n');
    expect(log).not.toHaveTextContent('Reusing cache layer');
    expect(screen.getByText(/^Paused/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    expect(log).toHaveTextContent('Reusing cache layer');
  });

  it('shows the new state when a signal says the build changed', async () => {
    const getBuild = jest
      .fn<Promise<LubanBuild>, []>()
      .mockResolvedValueOnce(runningBuild(6))
      .mockResolvedValue(aBuild({ name: 'ledger-api-build-13', number: 13 }));
    const { signals } = renderDetails({ getBuild }, 'ledger-api-build-13');
    await waitFor(() => expect(detail('Status')).toHaveTextContent('Running'));
    expect(detail('Finished')).toHaveTextContent('Still running');

    signals.publish(channel, {
      type: 'build',
      build: 'ledger-api-build-13',
      status: 'succeeded',
    });

    await waitFor(() =>
      expect(detail('Status')).toHaveTextContent('Succeeded'),
    );
    expect(getBuild).toHaveBeenCalledTimes(2);
  });

  it('shows progress while the build loads', async () => {
    renderDetails({ getBuild: () => new Promise(() => {}) });

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'All builds' }),
    ).toBeInTheDocument();
  });

  it("shows the backend's message when the build cannot be read", async () => {
    const missing = await backendError(
      404,
      "component:default/ledger-api has no build 'ledger-api-build-99'",
    );
    renderDetails(
      {
        getBuild: async () => {
          throw missing;
        },
      },
      'ledger-api-build-99',
    );

    expect(
      await screen.findByText(
        "Error: Could not load the build ledger-api-build-99: component:default/ledger-api has no build 'ledger-api-build-99'",
      ),
    ).toBeVisible();
    expect(
      screen.getByRole('link', { name: 'All builds' }),
    ).toBeInTheDocument();
  });
});
