import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type LubanApi, lubanApiRef } from '../../api';
import { aBuild, lubanEntity, stepsUpTo } from '../shared/__testUtils__';
import { CancelBuildButton } from './CancelBuildButton';

const running = aBuild({
  name: 'ledger-api-build-13',
  number: 13,
  status: 'running',
  digest: undefined,
  steps: stepsUpTo(4, 'running'),
});

function renderButton(options: {
  lubanApi: Partial<LubanApi>;
  permissionApi?: ReturnType<typeof mockApis.permission>;
  onCancelled?: () => void;
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
      <CancelBuildButton
        entity={lubanEntity()}
        build={running}
        onCancelled={options.onCancelled}
      />
    </TestApiProvider>,
  );
  return { alertApi };
}

describe('CancelBuildButton', () => {
  it('cancels a running build only once the user confirms, and tells the page', async () => {
    const user = userEvent.setup();
    const cancelBuild = jest.fn(async () => ({
      ...running,
      status: 'cancelled' as const,
    }));
    const onCancelled = jest.fn();
    const { alertApi } = renderButton({
      lubanApi: { cancelBuild },
      onCancelled,
    });

    await user.click(
      await screen.findByRole('button', { name: 'Cancel build #13' }),
    );
    expect(
      await screen.findByRole('dialog', { name: 'Cancel build #13?' }),
    ).toHaveTextContent('It does not build this commit again by itself');
    expect(cancelBuild).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Cancel the build' }));

    await waitFor(() =>
      expect(alertApi.getAlerts()).toEqual([
        expect.objectContaining({
          message: 'Build #13 cancelled',
          severity: 'success',
        }),
      ]),
    );
    expect(cancelBuild).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'ledger-api' },
      'ledger-api-build-13',
    );
    expect(onCancelled).toHaveBeenCalledTimes(1);
  });

  it('leaves the build running when the user keeps it', async () => {
    const user = userEvent.setup();
    const cancelBuild = jest.fn();
    renderButton({ lubanApi: { cancelBuild } });

    await user.click(
      await screen.findByRole('button', { name: 'Cancel build #13' }),
    );
    await user.click(
      await screen.findByRole('button', { name: 'Keep running' }),
    );

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(cancelBuild).not.toHaveBeenCalled();
  });
});
