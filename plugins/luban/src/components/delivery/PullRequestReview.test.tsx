import { screen, within } from '@testing-library/react';
import { LubanDeliveryContent } from '../DeliveryContent/LubanDeliveryContent';
import {
  promotionState,
  renderForEntity,
} from '../DeliveryContent/__testUtils__';

const PULL_REQUEST = {
  number: 42,
  url: 'https://github.com/acme/acme-gitops/pull/42',
  title: 'Promote ledger-api snd → prd',
};

const prdRow = () => screen.getByRole('row', { name: /^prd/ });

describe("an open pull request's reviews in the Delivery view", () => {
  it.each([
    [
      {
        state: 'waiting',
        approvedBy: [],
        changesRequestedBy: [],
        requiredApprovals: 1,
      },
      'waiting for 1 review',
    ],
    [
      {
        state: 'waiting',
        approvedBy: ['alice'],
        changesRequestedBy: [],
        requiredApprovals: 2,
      },
      'waiting for 1 review (approved by alice)',
    ],
    [
      {
        state: 'approved',
        approvedBy: ['alice', 'bob'],
        changesRequestedBy: [],
        requiredApprovals: 1,
      },
      'approved by alice, bob',
    ],
    [
      {
        state: 'changes-requested',
        approvedBy: ['alice'],
        changesRequestedBy: ['carol'],
        requiredApprovals: 1,
      },
      'changes requested by carol',
    ],
  ] as const)('says %j as "%s"', async (review, words) => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({
            prd: {
              pullRequest: {
                ...PULL_REQUEST,
                review: {
                  ...review,
                  approvedBy: [...review.approvedBy],
                  changesRequestedBy: [...review.changesRequestedBy],
                },
              },
            },
          }),
      },
    });

    await screen.findByRole('link', {
      name: /^Pull request #42: /,
    });
    expect(within(prdRow()).getByText(words)).toBeInTheDocument();
  });

  it('shows the checks of the head, and nothing of reviews when the host reported none', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({
            snd: { pullRequest: PULL_REQUEST },
            prd: {
              pullRequest: {
                ...PULL_REQUEST,
                number: 43,
                review: {
                  state: 'approved',
                  approvedBy: ['bob'],
                  changesRequestedBy: [],
                  requiredApprovals: 1,
                  checks: { state: 'failure', total: 2 },
                },
              },
            },
          }),
      },
    });

    await screen.findByRole('link', {
      name: /^Pull request #43: /,
    });
    expect(within(prdRow()).getByText('2 checks failed')).toBeInTheDocument();
    const sndRow = screen.getByRole('row', { name: /^snd/ });
    expect(
      within(sndRow).queryByText(/approved|waiting|changes/),
    ).not.toBeInTheDocument();
  });

  it('says a merged change is not deployed until Argo CD syncs it', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({
            snd: { rollout: 'deployed' },
            prd: { pullRequest: undefined, rollout: 'waiting-for-sync' },
          }),
      },
    });

    expect(
      await within(await screen.findByRole('row', { name: /^prd/ })).findByText(
        'Merged, waiting for sync',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('row', { name: /^snd/ })).queryByText(
        'Merged, waiting for sync',
      ),
    ).not.toBeInTheDocument();
  });
});
