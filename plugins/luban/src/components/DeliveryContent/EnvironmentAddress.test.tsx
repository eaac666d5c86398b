import { screen, within } from '@testing-library/react';
import { promotionState, renderForEntity } from './__testUtils__';
import { LubanDeliveryContent } from './LubanDeliveryContent';

function environmentRow(name: string) {
  return screen.getByRole('row', { name: new RegExp(`^${name}`) });
}

describe('the address of an app in each environment', () => {
  it("links each environment's address, and shows no link where the overlay has no route or nothing runs yet", async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({
            snd: { url: 'https://ledger-api.acme.snd.apps.acme.test/' },
            // A new app's overlay names its route before its first build reaches it.
            prd: {
              url: 'https://ledger-api.acme.prd.apps.acme.test/',
              digest: undefined,
              tag: undefined,
              image: undefined,
            },
          }),
      },
    });

    // Backstage's Link says that an external link opens a new window.
    const link = await screen.findByRole('link', {
      name: 'Open ledger-api in snd (https://ledger-api.acme.snd.apps.acme.test/), Opens in a new window',
    });
    expect(link).toHaveAttribute(
      'href',
      'https://ledger-api.acme.snd.apps.acme.test/',
    );
    expect(
      within(environmentRow('prd')).queryByRole('link', { name: /^Open / }),
    ).not.toBeInTheDocument();
  });

  it('shows no link for an app without a route', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: { getPromotion: async () => promotionState() },
    });

    expect(await screen.findByRole('row', { name: /^snd/ })).toBeVisible();
    expect(
      screen.queryByRole('link', { name: /^Open ledger-api in/ }),
    ).not.toBeInTheDocument();
  });
});
