import type { Entity } from '@backstage/catalog-model';
import type {
  LubanEnvironmentInsights,
  LubanInsights,
} from '@luban-backstage/plugin-luban-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderForEntity } from '../DeliveryContent/__testUtils__';
import { backendError } from '../shared/__testUtils__';
import { LubanInsightsCard } from './LubanInsightsCard';
import { LubanProjectInsightsContent } from './LubanProjectInsightsContent';

function environment(
  name: string,
  overrides: Partial<LubanEnvironmentInsights> = {},
): LubanEnvironmentInsights {
  return {
    name,
    deploys: 0,
    deploysPerWeek: 0,
    leadTimeSeconds: { count: 0 },
    rollbacks: 0,
    failedSyncs: 0,
    failedDeploys: 0,
    timeToRestoreSeconds: { count: 0 },
    weeks: [],
    ...overrides,
  };
}

/** 30 days of ledger-api: snd deploys often and never failed; prd failed twice in 5 deploys. */
function insights(days = 30, deployed = true): LubanInsights {
  return {
    days,
    from: '2026-11-07T00:00:00Z',
    to: '2026-12-07T00:00:00Z',
    apps: ['ledger-api'],
    environments: deployed
      ? [
          environment('snd', {
            deploys: 4,
            deploysPerWeek: 0.93,
            leadTimeSeconds: { count: 4, p50: 1800, p90: 36000 },
            changeFailureRate: 0,
          }),
          environment('prd', {
            deploys: 5,
            deploysPerWeek: 1.17,
            leadTimeSeconds: { count: 4, p50: 3600, p90: 86400 },
            rollbacks: 1,
            failedSyncs: 1,
            failedDeploys: 2,
            changeFailureRate: 0.4,
            timeToRestoreSeconds: { count: 2, p50: 10800, p90: 21600 },
          }),
        ]
      : [environment('snd'), environment('prd')],
    builds: {
      finished: 5,
      succeeded: 4,
      failed: 1,
      successRate: 0.8,
      durationSeconds: { count: 4, p50: 200, p90: 600 },
    },
  };
}

describe('LubanInsightsCard', () => {
  it('shows each measure per environment with a chart each, over 30 days by default', async () => {
    const getInsights = jest.fn(async (_entity, days: number) =>
      insights(days),
    );
    renderForEntity(<LubanInsightsCard />, { lubanApi: { getInsights } });

    const table = await screen.findByRole('table', {
      name: 'Delivery of ledger-api per environment, last 30 days',
    });
    expect(getInsights).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'ledger-api' },
      30,
    );
    const cells = (row: string) =>
      within(within(table).getByRole('row', { name: new RegExp(`^${row}`) }))
        .getAllByRole('cell')
        .map(cell => cell.textContent);
    expect(cells('snd')).toEqual([
      'snd',
      '0.93 (4 deploys)',
      '30m 00s',
      '0%',
      '—',
    ]);
    expect(cells('prd')).toEqual([
      'prd',
      '1.17 (5 deploys)',
      '1h 00m',
      '40% (1 rolled back, 1 failed sync)',
      '3h 00m',
    ]);
    for (const chart of [
      'Deploys per week: snd 0.93, prd 1.17',
      'Lead time (median): snd 30m 00s, prd 1h 00m',
      'Change failure rate: snd 0%, prd 40%',
      'Time to restore (median): snd —, prd 3h 00m',
      'Builds: succeeded 4, failed 1',
    ]) {
      expect(screen.getByRole('img', { name: chart })).toBeInTheDocument();
    }
    expect(
      screen.getByText(
        '80% succeeded (4 of 5) · duration median 3m 20s, 90th percentile 10m 00s',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '30 days' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });

  it('reads another window when one is chosen, and says when nothing was deployed in it', async () => {
    const getInsights = jest.fn(async (_entity, days: number) =>
      insights(days, days !== 7),
    );
    renderForEntity(<LubanInsightsCard />, { lubanApi: { getInsights } });
    await screen.findByRole('table');

    await userEvent.click(screen.getByRole('button', { name: '7 days' }));

    expect(
      await screen.findByText('No deploys in the last 7 days'),
    ).toBeInTheDocument();
    expect(getInsights).toHaveBeenLastCalledWith(expect.anything(), 7);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: '7 days' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });

  it('shows a skeleton while loading, then the backend’s reason when it cannot be read', async () => {
    let fail: (error: Error) => void = () => {};
    const getInsights = jest.fn(
      () => new Promise<LubanInsights>((_resolve, reject) => (fail = reject)),
    );
    renderForEntity(<LubanInsightsCard />, { lubanApi: { getInsights } });

    expect(
      await screen.findByRole('progressbar', {
        name: 'Loading delivery insights',
      }),
    ).toBeInTheDocument();
    fail(
      await backendError(
        400,
        'days must be a whole number of days from 1 to 90',
      ),
    );
    expect(
      await screen.findByText(
        'Error: Could not load the delivery insights: days must be a whole number of days from 1 to 90',
      ),
    ).toBeInTheDocument();
  });
});

describe('LubanProjectInsightsContent', () => {
  const system: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'acme', annotations: { 'luban.dev/project': 'acme' } },
    spec: { owner: 'team-a' },
  };

  it("shows the project's apps together, read on its System", async () => {
    const getProjectInsights = jest.fn(async (_entity, days: number) => ({
      ...insights(days),
      apps: ['billing-api', 'ledger-api'],
    }));
    renderForEntity(<LubanProjectInsightsContent />, {
      lubanApi: { getProjectInsights },
      entity: system,
    });

    expect(
      await screen.findByRole('table', {
        name: 'Delivery of project acme per environment, last 30 days',
      }),
    ).toBeInTheDocument();
    expect(getProjectInsights).toHaveBeenCalledWith(
      { kind: 'System', namespace: 'default', name: 'acme' },
      30,
    );
  });
});
