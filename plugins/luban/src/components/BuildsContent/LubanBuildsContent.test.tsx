import type { Entity } from '@backstage/catalog-model';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import type { LubanBuildList } from '@luban-backstage/plugin-luban-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation, useNavigate } from 'react-router-dom';
import { type LubanApi, lubanApiRef } from '../../api';
import {
  aBuild,
  backendError,
  fakeBuildLogs,
  fakeSignalApi,
  lubanEntity,
  stepsUpTo,
} from '../shared/__testUtils__';
import { LubanBuildsContent } from './LubanBuildsContent';

const channel = 'luban:component:default/ledger-api';
const minutesAgo = (minutes: number) =>
  new Date(Date.now() - minutes * 60_000).toISOString();

const running = aBuild({
  name: 'ledger-api-build-13',
  number: 13,
  reasons: ['TRIGGER'],
  status: 'running',
  startedAt: minutesAgo(2),
  finishedAt: undefined,
  durationSeconds: 125,
  digest: undefined,
  registryUrl: undefined,
  steps: stepsUpTo(4, 'running'),
});
const succeeded = aBuild({
  reasons: ['COMMIT', 'STACK'],
  startedAt: minutesAgo(60),
});
const list: LubanBuildList = {
  image: 'ci-acme/ledger-api',
  cluster: 'build-1',
  builds: [running, succeeded],
};

/** The browser's Back button and address, which the test app lacks. */
function Browser() {
  const navigate = useNavigate();
  const location = useLocation();
  return (
    <>
      <button onClick={() => navigate(-1)}>Back</button>
      <output aria-label="Address">{`${location.pathname}${location.search}`}</output>
    </>
  );
}

function renderTab(options: {
  lubanApi: Partial<LubanApi>;
  entity?: Entity;
  url?: string;
}) {
  const signals = fakeSignalApi();
  const alertApi = mockApis.alert();
  renderInTestApp(
    <TestApiProvider
      apis={[
        [
          lubanApiRef,
          {
            streamBuildLog: fakeBuildLogs().streamBuildLog,
            ...options.lubanApi,
          },
        ],
        [signalApiRef, signals.api],
        mockApis.permission(),
        alertApi,
      ]}
    >
      <EntityProvider entity={options.entity ?? lubanEntity()}>
        <Browser />
        <LubanBuildsContent />
      </EntityProvider>
    </TestApiProvider>,
    {
      initialRouteEntries: [
        options.url ?? '/catalog/default/component/ledger-api/builds',
      ],
    },
  );
  return { signals, alertApi };
}

/** What each row of the builds table reads as, row header first. */
function tableRows() {
  const table = screen.getByRole('table', {
    name: 'Builds of the kpack Image ci-acme/ledger-api',
  });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => [
      within(row).getByRole('rowheader').textContent,
      ...within(row)
        .getAllByRole('cell')
        .map(cell => cell.textContent),
    ]);
}

describe('LubanBuildsContent', () => {
  it('lists the builds with status, reasons, commit, start, duration and digest', async () => {
    const listBuilds = jest.fn(async () => list);
    renderTab({ lubanApi: { listBuilds } });

    expect(
      await screen.findByRole('heading', { level: 2, name: 'Builds' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('kpack Image ci-acme/ledger-api on cluster build-1'),
    ).toBeInTheDocument();
    expect(tableRows()).toEqual([
      [
        '#13',
        'Running Cancel',
        'TRIGGER',
        '0123456, Opens in a new window',
        '2 minutes ago',
        '2m 05s',
        '',
      ],
      [
        '#12',
        'Succeeded',
        'COMMITSTACK',
        '0123456, Opens in a new window',
        '1 hour ago',
        '1m 05s',
        'sha256:abcdef123456, Opens in a new window',
      ],
    ]);
    expect(
      screen.getByRole('link', {
        name: /Digest sha256:abcdef123456 in Harbor/,
      }),
    ).toHaveAttribute('href', succeeded.registryUrl);
    expect(screen.getByRole('button', { name: 'Rebuild' })).toBeEnabled();
    expect(listBuilds).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'ledger-api',
    });
  });

  it('shows progress while the builds load', async () => {
    renderTab({ lubanApi: { listBuilds: () => new Promise(() => {}) } });

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('explains how builds start when there are none yet', async () => {
    renderTab({
      lubanApi: { listBuilds: async () => ({ ...list, builds: [] }) },
    });

    expect(await screen.findByText('No builds yet')).toBeInTheDocument();
    expect(screen.getByText(/kpack builds the Image/)).toHaveTextContent(
      'kpack builds the Image ci-acme/ledger-api once it is created, then whenever a commit lands on its source branch',
    );
    // Rebuilding needs a build to rebuild from.
    expect(
      screen.queryByRole('button', { name: 'Rebuild' }),
    ).not.toBeInTheDocument();
  });

  it('names the missing luban annotation, without asking the backend', async () => {
    const listBuilds = jest.fn(async () => list);
    renderTab({
      lubanApi: { listBuilds },
      entity: lubanEntity({ 'luban.dev/project': 'acme' }),
    });

    expect(
      await screen.findByRole('heading', { name: 'Missing Annotation' }),
    ).toBeInTheDocument();
    expect(screen.getByText(/The annotation/)).toHaveTextContent(
      'The annotation luban.dev/app is missing.',
    );
    expect(listBuilds).not.toHaveBeenCalled();
  });

  it("shows the backend's message when the builds cannot be read", async () => {
    const notFound = await backendError(
      404,
      "kpack Image 'ledger-api' in namespace 'ci-acme' of Kubernetes cluster 'build-1' was not found: check the luban.dev/kpack-image annotation",
    );
    renderTab({
      lubanApi: {
        listBuilds: async () => {
          throw notFound;
        },
      },
    });

    expect(
      await screen.findByText(
        "Error: Could not load the builds: kpack Image 'ledger-api' in namespace 'ci-acme' of Kubernetes cluster 'build-1' was not found: check the luban.dev/kpack-image annotation",
      ),
    ).toBeVisible();
  });

  it('re-reads the builds when a build signal arrives, and only then', async () => {
    const listBuilds = jest
      .fn<Promise<LubanBuildList>, []>()
      .mockResolvedValueOnce({ ...list, builds: [succeeded] })
      .mockResolvedValue(list);
    const { signals } = renderTab({ lubanApi: { listBuilds } });
    await screen.findByRole('table');
    expect(tableRows().map(row => row[0])).toEqual(['#12']);

    signals.publish(channel, {
      type: 'deployment',
      environment: 'snd',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
    });
    signals.publish(channel, {
      type: 'build',
      build: 'ledger-api-build-13',
      status: 'running',
    });

    await waitFor(() =>
      expect(tableRows().map(row => row[0])).toEqual(['#13', '#12']),
    );
    expect(listBuilds).toHaveBeenCalledTimes(2);
  });

  it('requests a rebuild, confirms it and reads the builds again', async () => {
    const user = userEvent.setup();
    const listBuilds = jest.fn(async () => list);
    const rebuild = jest.fn(async () => ({
      triggeredFrom: 'ledger-api-build-13',
    }));
    const { alertApi } = renderTab({ lubanApi: { listBuilds, rebuild } });

    await user.click(await screen.findByRole('button', { name: 'Rebuild' }));

    await waitFor(() => expect(listBuilds).toHaveBeenCalledTimes(2));
    expect(alertApi.getAlerts()).toEqual([
      expect.objectContaining({
        message: 'Rebuild requested from build ledger-api-build-13',
        severity: 'success',
      }),
    ]);
  });

  it('opens a build from its link, with an address that Back returns from', async () => {
    const user = userEvent.setup();
    const getBuild = jest.fn(async () => succeeded);
    renderTab({ lubanApi: { listBuilds: async () => list, getBuild } });

    await user.click(await screen.findByRole('link', { name: 'Build #12' }));

    expect(
      await screen.findByRole('heading', { level: 2, name: 'Build #12' }),
    ).toBeInTheDocument();
    expect(getBuild).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'ledger-api' }),
      'ledger-api-build-12',
    );
    expect(screen.getByRole('status', { name: 'Address' })).toHaveTextContent(
      '/catalog/default/component/ledger-api/builds?build=ledger-api-build-12',
    );

    await user.click(screen.getByRole('button', { name: 'Back' }));

    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(screen.getByRole('status', { name: 'Address' })).toHaveTextContent(
      /^\/catalog\/default\/component\/ledger-api\/builds$/,
    );
  });

  it('opens the build and step named in a shared link', async () => {
    const user = userEvent.setup();
    const logs = fakeBuildLogs({
      detect: 'paketo-buildpacks/node-engine 3.2.1\n',
    });
    renderTab({
      lubanApi: {
        listBuilds: async () => list,
        getBuild: async () => succeeded,
        streamBuildLog: logs.streamBuildLog,
      },
      url: '/catalog/default/component/ledger-api/builds?build=ledger-api-build-12&step=detect',
    });

    expect(
      await screen.findByRole('log', { name: 'Log of build #12, step detect' }),
    ).toHaveTextContent('paketo-buildpacks/node-engine 3.2.1');

    await user.selectOptions(
      screen.getByRole('combobox', { name: 'Step' }),
      'All steps',
    );
    expect(screen.getByRole('status', { name: 'Address' })).toHaveTextContent(
      '?build=ledger-api-build-12&step=all',
    );
    expect(
      await screen.findByRole('log', { name: 'Log of build #12, all steps' }),
    ).toBeInTheDocument();

    await user.click(screen.getByRole('link', { name: 'All builds' }));
    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(screen.getByRole('status', { name: 'Address' })).toHaveTextContent(
      /^\/catalog\/default\/component\/ledger-api\/builds$/,
    );
  });
});
