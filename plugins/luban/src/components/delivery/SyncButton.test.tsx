import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { LubanDeliveryContent } from '../DeliveryContent/LubanDeliveryContent';
import {
  promotionState,
  renderForEntity,
} from '../DeliveryContent/__testUtils__';

const REVISION = 'abcdef0123456789abcdef0123456789abcdef01';
const manualPrd = (
  operation?: NonNullable<
    ReturnType<typeof promotionState>['environments'][number]['argoCd']
  >['operation'],
) =>
  promotionState({
    snd: {
      argoCd: {
        application: 'snd-acme-ledger-api',
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        automated: true,
      },
    },
    prd: {
      argoCd: {
        application: 'prd-acme-ledger-api',
        syncStatus: 'OutOfSync',
        healthStatus: 'Healthy',
        automated: false,
        operation,
      },
    },
  });

describe('Sync in the Delivery view', () => {
  it('offers Sync only where Argo CD does not sync by itself, and starts a sync of that environment', async () => {
    const user = userEvent.setup();
    const syncEnvironment = jest.fn(
      async (_entity: object, _env: string, _options?: object) => ({
        environment: 'prd',
        application: 'prd-acme-ledger-api',
        revision: REVISION,
      }),
    );
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: { getPromotion: async () => manualPrd(), syncEnvironment },
    });

    const prdRow = await screen.findByRole('row', { name: /^prd/ });
    const sync = within(prdRow).getByRole('button', { name: 'Sync prd' });
    expect(
      within(screen.getByRole('row', { name: /^snd/ })).queryByRole('button', {
        name: 'Sync snd',
      }),
    ).toBeNull();
    await waitFor(() => expect(sync).toBeEnabled());
    await user.click(sync);

    // First a dry run, whose plan the confirmation names; nothing started yet.
    const dialog = await screen.findByRole('dialog', { name: 'Sync prd?' });
    expect(dialog).toHaveTextContent(
      'Argo CD deploys commit abcdef0, the head of the GitOps branch, to prd (application prd-acme-ledger-api).',
    );
    const ref = { kind: 'component', namespace: 'default', name: 'ledger-api' };
    expect(syncEnvironment.mock.calls).toEqual([
      [ref, 'prd', { dryRun: true }],
    ]);
    await user.click(
      within(dialog).getByRole('button', { name: 'Start the sync' }),
    );

    await waitFor(() =>
      expect(syncEnvironment.mock.calls).toEqual([
        [ref, 'prd', { dryRun: true }],
        [ref, 'prd', undefined],
      ]),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog', { name: 'Sync prd?' })).toBeNull(),
    );
    // A first render of the whole tab takes seconds on a busy machine.
  }, 20_000);

  it("shows a running sync's phase beside Argo CD's status, and Sync says why it waits", async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          manualPrd({ phase: 'Running', revision: REVISION }),
      },
    });

    const prdRow = await screen.findByRole('row', { name: /^prd/ });
    expect(prdRow).toHaveTextContent('OutOfSync · Healthy · sync Running');
    const sync = within(prdRow).getByRole('button', { name: 'Sync prd' });
    await waitFor(() =>
      expect(sync).toHaveAccessibleDescription(
        'Argo CD is syncing prd: Running',
      ),
    );
    expect(sync).toBeDisabled();
  }, 20_000);
});
