import type { Entity } from '@backstage/catalog-model';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { LubanRebuildResult } from '@luban-backstage/plugin-luban-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type LubanApi, lubanApiRef } from '../../api';
import {
  backendError,
  denyingPermissionApi,
  lubanEntity,
} from '../shared/__testUtils__';
import { RebuildButton } from './RebuildButton';

function renderButton(options: {
  lubanApi: Partial<LubanApi>;
  permissionApi?: ReturnType<typeof mockApis.permission>;
  onRebuilt?: (result: LubanRebuildResult) => void;
  entity?: Entity;
}) {
  const alertApi = mockApis.alert();
  renderInTestApp(
    <TestApiProvider
      apis={[
        [lubanApiRef, options.lubanApi],
        options.permissionApi ?? mockApis.permission(),
        alertApi,
      ]}
    >
      <RebuildButton
        entity={options.entity ?? lubanEntity()}
        onRebuilt={options.onRebuilt}
      />
    </TestApiProvider>,
  );
  return { alertApi };
}

describe('RebuildButton', () => {
  const restricted = lubanEntity(undefined, 'payments-api');

  it('requests a rebuild, confirms it and tells the page', async () => {
    const user = userEvent.setup();
    const rebuild = jest.fn(async () => ({
      triggeredFrom: 'ledger-api-build-12',
    }));
    const onRebuilt = jest.fn();
    const { alertApi } = renderButton({ lubanApi: { rebuild }, onRebuilt });

    await user.click(await screen.findByRole('button', { name: 'Rebuild' }));

    await waitFor(() =>
      expect(alertApi.getAlerts()).toEqual([
        expect.objectContaining({
          message: 'Rebuild requested from build ledger-api-build-12',
          severity: 'success',
        }),
      ]),
    );
    expect(rebuild).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'ledger-api',
    });
    expect(onRebuilt).toHaveBeenCalledWith({
      triggeredFrom: 'ledger-api-build-12',
    });
  });

  it("shows the backend's reason when the rebuild is refused", async () => {
    const user = userEvent.setup();
    const refusal = await backendError(
      403,
      'You may not build rebuild component:default/ledger-api: only its owners may',
    );
    const onRebuilt = jest.fn();
    const { alertApi } = renderButton({
      lubanApi: {
        rebuild: async () => {
          throw refusal;
        },
      },
      onRebuilt,
    });

    await user.click(await screen.findByRole('button', { name: 'Rebuild' }));

    await waitFor(() =>
      expect(alertApi.getAlerts()).toEqual([
        expect.objectContaining({
          message:
            'Could not rebuild: You may not build rebuild component:default/ledger-api: only its owners may',
          severity: 'error',
        }),
      ]),
    );
    expect(onRebuilt).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Rebuild' })).toBeEnabled();
  });

  it('is disabled while the request runs, so it is not sent twice', async () => {
    const user = userEvent.setup();
    const rebuild = jest.fn(() => new Promise<never>(() => {}));
    renderButton({ lubanApi: { rebuild } });

    const button = await screen.findByRole('button', { name: 'Rebuild' });
    await user.click(button);

    expect(button).toBeDisabled();
    expect(rebuild).toHaveBeenCalledTimes(1);
  });

  it('is disabled for users who may not rebuild, and says who may', async () => {
    const user = userEvent.setup();
    const rebuild = jest.fn();
    renderButton({
      lubanApi: { rebuild },
      permissionApi: denyingPermissionApi(),
      entity: restricted,
    });

    const button = await screen.findByRole('button', { name: 'Rebuild' });
    await user.hover(button.parentElement!);

    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only the owners of component:payments-api can rebuild',
    );
    expect(button).toBeDisabled();
    await user.click(button.parentElement!);
    expect(rebuild).not.toHaveBeenCalled();
  });

  it('lets keyboard users reach the disabled button and read why', async () => {
    const user = userEvent.setup();
    renderButton({
      lubanApi: {},
      permissionApi: denyingPermissionApi(),
      entity: restricted,
    });
    const wrapper = (await screen.findByRole('button', { name: 'Rebuild' }))
      .parentElement!;
    await waitFor(() => expect(wrapper).toHaveAttribute('tabindex', '0'));

    await user.tab();

    expect(wrapper).toHaveFocus();
    // jsdom does not match :focus-visible, so MUI does not open the tooltip
    // on focus here; screen readers read the same text as the description.
    expect(wrapper).toHaveAccessibleDescription(
      'Only the owners of component:payments-api can rebuild',
    );
  });
});
