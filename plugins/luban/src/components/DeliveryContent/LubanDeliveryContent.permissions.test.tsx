import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { denyingPermissionApi } from '../shared/__testUtils__';
import { promotionState, renderForEntity } from './__testUtils__';
import { LubanDeliveryContent } from './LubanDeliveryContent';

// usePermission caches each decision (per permission and entity) for the
// whole test module, so the denied case has a file of its own.
describe('LubanDeliveryContent for users who do not own the entity', () => {
  it('disables promote and rollback for users who do not own the entity, and says why', async () => {
    const user = userEvent.setup();
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: { getPromotion: async () => promotionState() },
      permissionApi: denyingPermissionApi(),
    });

    const promote = await screen.findByRole('button', {
      name: 'Promote snd → prd',
    });
    await waitFor(() =>
      expect(promote).toHaveAccessibleDescription(
        'Only the owners of ledger-api can promote, and to prd only if the permission policy allows it',
      ),
    );
    expect(promote).toBeDisabled();
    await user.hover(promote.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only the owners of ledger-api can promote, and to prd only if the permission policy allows it',
    );

    const rollback = within(
      screen.getByRole('row', { name: /^snd/ }),
    ).getByRole('button', {
      name: 'Rollback snd',
    });
    expect(rollback).toBeDisabled();
    expect(rollback).toHaveAccessibleDescription(
      'Only the owners of ledger-api can roll back, and snd only if the permission policy allows it',
    );
    await user.hover(rollback.parentElement!);
    expect(
      await screen.findByRole('tooltip', {
        name: 'Rollback snd Only the owners of ledger-api can roll back, and snd only if the permission policy allows it',
      }),
    ).toBeInTheDocument();
    // Two tooltips hovered in turn take over 5 s on a busy machine.
  }, 20_000);
});
