import { screen, within } from '@testing-library/react';
import { backendError, lubanEntity } from '../shared/__testUtils__';
import {
  promotionState,
  renderForEntity,
} from '../DeliveryContent/__testUtils__';
import { LubanDeliveryCard } from './LubanDeliveryCard';

describe('LubanDeliveryCard', () => {
  it('shows the environment matrix without actions, and links to the Delivery tab', async () => {
    renderForEntity(<LubanDeliveryCard />, {
      lubanApi: { getPromotion: async () => promotionState() },
    });

    const table = await screen.findByRole('table', {
      name: 'Environments of ledger-api, in promotion order',
    });
    const prd = within(table).getByRole('row', { name: /^prd/ });
    expect(within(prd).getByText('sha256:9f9f9f9f9f9f')).toBeInTheDocument();
    expect(within(prd).getByText('behind snd')).toBeInTheDocument();
    expect(within(prd).getByText('OutOfSync · Degraded')).toBeInTheDocument();
    // The card keeps what a glance needs; the rest is on the Delivery tab.
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(header => header.textContent),
    ).toEqual(['Environment', 'Image', 'Deployed', 'Argo CD']);
    expect(
      within(table).queryByRole('button', { name: /Promote|Rollback/ }),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'View delivery' })).toHaveAttribute(
      'href',
      '/catalog/default/component/ledger-api/delivery',
    );
  });

  it('links to where the app mounts the Delivery tab', async () => {
    renderForEntity(
      <LubanDeliveryCard deliveryLink="/catalog/default/component/ledger-api/deploys" />,
      {
        lubanApi: { getPromotion: async () => promotionState() },
      },
    );

    expect(
      await screen.findByRole('link', { name: 'View delivery' }),
    ).toHaveAttribute('href', '/catalog/default/component/ledger-api/deploys');
  });

  it("shows the backend's message when the state cannot be read", async () => {
    const error = await backendError(
      403,
      'You may not promotion read component:default/ledger-api: only its owners may',
    );
    renderForEntity(<LubanDeliveryCard />, {
      lubanApi: {
        getPromotion: async () => {
          throw error;
        },
      },
    });

    expect(
      await screen.findByText(
        'Error: Could not read what runs where: You may not promotion read component:default/ledger-api: only its owners may',
      ),
    ).toBeVisible();
  });

  it('names the missing annotations', async () => {
    const getPromotion = jest.fn(async () => promotionState());
    renderForEntity(<LubanDeliveryCard />, {
      entity: lubanEntity({}),
      lubanApi: { getPromotion },
    });

    expect(await screen.findByText(/The annotations/)).toHaveTextContent(
      'The annotations luban.dev/project, luban.dev/app are missing.',
    );
    expect(getPromotion).not.toHaveBeenCalled();
  });
});
