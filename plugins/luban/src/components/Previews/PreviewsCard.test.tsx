import type { LubanPreviews } from '@luban-backstage/plugin-luban-common';
import { screen, within } from '@testing-library/react';
import { LubanDeliveryContent } from '../DeliveryContent';
import {
  digestOf,
  promotionState,
  renderForEntity,
} from '../DeliveryContent/__testUtils__';
import { backendError, lubanEntity } from '../shared/__testUtils__';

const PREVIEW_DIGEST = digestOf('7e7e7e7e7e7e');

/** An app that opted in to previews (PreviewService's annotation). */
const optedIn = lubanEntity({
  'luban.dev/project': 'acme',
  'luban.dev/app': 'ledger-api',
  'luban.dev/previews': 'enabled',
});

/** As GET …/previews answers (plugins/luban-backend/src/service/previews/PreviewReader.ts). */
function previews(): LubanPreviews {
  return {
    previews: [
      {
        pullRequest: {
          number: 12,
          url: 'https://github.com/acme/ledger-api/pull/12',
        },
        application: 'snd-acme-ledger-api-pr-12',
        environment: 'snd',
        digest: PREVIEW_DIGEST,
        address: 'https://ledger-api-pr-12.acme.snd.apps.example.com/',
        sync: 'Synced',
        health: 'Healthy',
        createdAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
      },
      {
        pullRequest: { number: 9 },
        application: 'snd-acme-ledger-api-pr-9',
        environment: 'snd',
        sync: 'OutOfSync',
        health: 'Missing',
      },
    ],
  };
}

describe('PreviewsCard on the Delivery tab', () => {
  it("lists each open pull request's preview below the environments: link, address, image, Argo CD, age", async () => {
    const getPreviews = jest.fn(async () => previews());
    renderForEntity(<LubanDeliveryContent />, {
      entity: optedIn,
      lubanApi: { getPromotion: async () => promotionState(), getPreviews },
    });

    const table = await screen.findByRole('table', {
      name: 'Pull-request previews of ledger-api',
    });
    expect(getPreviews).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'ledger-api',
    });
    const [first, second] = within(table).getAllByRole('row').slice(1);
    expect(
      within(first).getByRole('link', { name: /^Pull request 12/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/ledger-api/pull/12');
    expect(
      within(first).getByRole('link', {
        name: /^ledger-api-pr-12\.acme\.snd\.apps\.example\.com/,
      }),
    ).toHaveAttribute(
      'href',
      'https://ledger-api-pr-12.acme.snd.apps.example.com/',
    );
    expect(within(first).getByText('sha256:7e7e7e7e7e7e')).toHaveAttribute(
      'title',
      PREVIEW_DIGEST,
    );
    expect(within(first).getByText('Synced · Healthy')).toBeInTheDocument();
    expect(within(first).getByText('2 hours ago')).toBeInTheDocument();
    // Not yet built or deployed: its number without a link, and Argo CD's words as they are.
    expect(
      within(second)
        .getAllByRole('cell')
        .map(c => c.textContent),
    ).toEqual(['#9', '—', '—', 'OutOfSync · Missing', '—']);
    expect(within(second).queryByRole('link')).not.toBeInTheDocument();
    // Below the environments.
    const environments = screen.getByRole('table', {
      name: 'Environments of ledger-api, in promotion order',
    });
    expect(
      environments.compareDocumentPosition(table) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it('says when no pull request has a preview, and shows why a read failed', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      entity: optedIn,
      lubanApi: {
        getPromotion: async () => promotionState(),
        getPreviews: async () => ({ previews: [] }),
      },
    });
    expect(
      await screen.findByText('No open pull request has a preview.'),
    ).toBeInTheDocument();

    const error = await backendError(503, 'the cluster did not answer');
    renderForEntity(<LubanDeliveryContent />, {
      entity: optedIn,
      lubanApi: {
        getPromotion: async () => promotionState(),
        getPreviews: async () => {
          throw error;
        },
      },
    });
    expect(
      await screen.findByText(
        'Error: Could not load the previews: the cluster did not answer',
      ),
    ).toBeVisible();
  });

  it('is not shown, and not asked for, when the app did not opt in', async () => {
    const getPreviews = jest.fn(async () => previews());
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: { getPromotion: async () => promotionState(), getPreviews },
    });
    await screen.findByRole('table', {
      name: 'Environments of ledger-api, in promotion order',
    });
    expect(screen.queryByText('Pull-request previews')).not.toBeInTheDocument();
    expect(getPreviews).not.toHaveBeenCalled();
  });
});
