import { screen, within } from '@testing-library/react';
import { promotionState, renderForEntity } from './__testUtils__';
import { LubanDeliveryContent } from './LubanDeliveryContent';

const argoCd = (healthStatus: string) => ({
  application: 'prd-acme-ledger-api',
  syncStatus: 'Synced',
  healthStatus,
});
const pullRequest = (kind: 'promote' | 'rollback') => ({
  number: 7,
  url: 'https://github.com/acme/acme-gitops/pull/7',
  title: 'Roll back ledger-api in prd',
  kind,
});

describe('a rollback luban proposed after a promotion', () => {
  it('says on a Degraded environment that a rollback is proposed, with its pull request', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({
            prd: {
              argoCd: argoCd('Degraded'),
              pullRequest: pullRequest('rollback'),
            },
          }),
      },
    });
    const line = await screen.findByText(
      /Degraded after promotion — rollback proposed/,
    );
    expect(
      within(line).getByRole('link', {
        name: /^Rollback pull request #7: Roll back ledger-api in prd/,
      }),
    ).toHaveAttribute('href', 'https://github.com/acme/acme-gitops/pull/7');
  });

  it('says nothing while the environment is Healthy, or when the open pull request is a promotion', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({
            snd: {
              argoCd: argoCd('Degraded'),
              pullRequest: pullRequest('promote'),
            },
            prd: {
              argoCd: argoCd('Healthy'),
              pullRequest: pullRequest('rollback'),
            },
          }),
      },
    });
    await screen.findAllByText(/Synced · Degraded/);
    expect(screen.queryByText(/rollback proposed/)).not.toBeInTheDocument();
  });
});
