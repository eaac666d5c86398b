import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type {
  LubanGateResult,
  LubanReleaseMatrix,
  LubanReleaseResult,
} from '@luban-backstage/plugin-luban-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type LubanApi, lubanApiRef } from '../../api';
import { denyingPermissionApi } from '../shared/__testUtils__';
import { ReleaseCard } from './ReleaseCard';

const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
const [api1, api2, worker2] = ['1', '2', 'b'].map(digest);

const matrix = (system: string): LubanReleaseMatrix => ({
  system: `system:default/${system}`,
  environments: [{ name: 'snd' }, { name: 'prd', promotesFrom: 'snd' }],
  members: [
    {
      entityRef: 'component:default/ledger-api',
      app: 'ledger-api',
      environments: [
        { name: 'snd', digest: api2 },
        { name: 'prd', digest: api1, behind: true },
      ],
    },
    {
      entityRef: 'component:default/ledger-worker',
      app: 'ledger-worker',
      environments: [
        { name: 'snd', digest: worker2 },
        { name: 'prd', digest: worker2 },
      ],
    },
  ],
});

const passed = (gate: LubanGateResult['gate']): LubanGateResult => ({
  gate,
  passed: true,
  reason: `${gate} is fine`,
});

/** The plan of snd → prd: the ledger API moves, the worker already runs snd's digest. */
function plan(overrides: Partial<LubanReleaseResult> = {}): LubanReleaseResult {
  return {
    system: 'system:default/payments',
    from: 'snd',
    to: 'prd',
    allowed: true,
    dryRun: true,
    members: [
      {
        entityRef: 'component:default/ledger-api',
        app: 'ledger-api',
        sourceDigest: api2,
        targetDigest: api1,
        behind: true,
        allowed: true,
        gates: [passed('synced'), passed('vulnerabilities')],
        overlayPath: 'apps/ledger-api/overlays/prd/kustomization.yaml',
        diff: `--- a/x\n+++ b/x\n@@ -1 +1 @@\n-    digest: ${api1}\n+    digest: ${api2}\n`,
      },
      {
        entityRef: 'component:default/ledger-worker',
        app: 'ledger-worker',
        sourceDigest: worker2,
        targetDigest: worker2,
        behind: false,
        allowed: true,
        gates: [],
      },
    ],
    ...overrides,
  };
}

function renderCard(
  lubanApi: Partial<LubanApi>,
  entityRef: CompoundEntityRef,
  permissionApi = mockApis.permission(),
) {
  return renderInTestApp(
    <TestApiProvider apis={[[lubanApiRef, lubanApi], permissionApi]}>
      <ReleaseCard entityRef={entityRef} />
    </TestApiProvider>,
  );
}

const system = (name: string): CompoundEntityRef => ({
  kind: 'system',
  namespace: 'default',
  name,
});

describe('ReleaseCard', () => {
  it('shows each app by environment, short digests and which are behind', async () => {
    renderCard(
      { getRelease: async () => matrix('payments') },
      system('payments'),
    );

    const table = await screen.findByRole('table', {
      name: 'Release of payments: apps by environment',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(row => row.textContent)).toEqual([
      'ledger-apisha256:222222222222sha256:111111111111behind snd',
      'ledger-workersha256:bbbbbbbbbbbbsha256:bbbbbbbbbbbb',
    ]);
    expect(
      within(screen.getByTestId('luban-release-row-ledger-api')).getAllByTestId(
        'luban-release-behind',
      ),
    ).toHaveLength(1);
    expect(screen.getByText('1 app behind')).toBeInTheDocument();
  });

  it('opens the plan of the release, then one pull request, and links it after', async () => {
    const user = userEvent.setup();
    const release = jest.fn(async () =>
      plan({
        dryRun: false,
        branch: 'luban/release/payments/prd',
        pullRequest: {
          number: 7,
          url: 'https://git.example/pr/7',
          reused: false,
        },
      }),
    );
    const planRelease = jest.fn(async () => plan());
    renderCard(
      { getRelease: async () => matrix('payments'), planRelease, release },
      system('payments'),
    );

    await user.click(
      await screen.findByRole('button', { name: 'Promote release snd → prd' }),
    );

    const dialog = await screen.findByRole('dialog', {
      name: 'Promote release snd → prd',
    });
    expect(
      await within(dialog).findByRole('heading', { name: 'ledger-api: moves' }),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('heading', { name: 'ledger-worker: unchanged' }),
    ).toBeInTheDocument();
    expect(within(dialog).getByText('Synced: passed')).toBeInTheDocument();
    expect(planRelease).toHaveBeenCalledWith(system('payments'), {
      from: 'snd',
      to: 'prd',
    });

    await user.click(
      within(dialog).getByRole('button', { name: 'Open pull request' }),
    );

    expect(
      await within(dialog).findByRole('link', { name: /Pull request #7/ }),
    ).toHaveAttribute('href', 'https://git.example/pr/7');
    expect(release).toHaveBeenCalledWith(system('payments'), {
      from: 'snd',
      to: 'prd',
    });
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    const link = within(
      await screen.findByTestId('luban-release-pull-request'),
    ).getByRole('link');
    expect(link).toHaveTextContent('pull request #7');
    expect(link).toHaveAttribute('href', 'https://git.example/pr/7');
  });

  it('says which app a failed gate blocks, and opens no pull request', async () => {
    const user = userEvent.setup();
    const release = jest.fn();
    const blocked = plan();
    blocked.allowed = false;
    blocked.members[0] = {
      ...blocked.members[0],
      allowed: false,
      gates: [
        {
          gate: 'vulnerabilities',
          passed: false,
          reason: '2 CRITICAL vulnerabilities',
        },
      ],
    };
    renderCard(
      {
        getRelease: async () => matrix('ledgers'),
        planRelease: async () => blocked,
        release,
      },
      system('ledgers'),
    );

    await user.click(
      await screen.findByRole('button', { name: 'Promote release snd → prd' }),
    );

    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        'A gate of ledger-api failed, so no pull request can be opened: fix what the failed gates name, then release again.',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('heading', {
        name: 'ledger-api: blocked by a gate',
      }),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('Vulnerabilities: failed'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Open pull request' }),
    ).toBeDisabled();
    expect(release).not.toHaveBeenCalled();
  });

  it('disables the release for those the policy does not allow, and says why', async () => {
    const user = userEvent.setup();
    // Another System than the other cases: usePermission caches each decision for the whole test module.
    renderCard(
      { getRelease: async () => matrix('billing') },
      system('billing'),
      denyingPermissionApi(),
    );

    const button = await screen.findByRole('button', {
      name: 'Promote release snd → prd',
    });
    await waitFor(() => expect(button).toBeDisabled());
    await user.hover(button.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only the owners of system:default/billing can release to prd, if the permission policy allows it',
    );
  });
});
