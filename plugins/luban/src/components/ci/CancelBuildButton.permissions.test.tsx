import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type LubanApi, lubanApiRef } from '../../api';
import {
  aBuild,
  denyingPermissionApi,
  lubanEntity,
  stepsUpTo,
} from '../shared/__testUtils__';
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

// usePermission caches each decision (per permission and entity) for the
// whole test module, so the denied case has a file of its own.
describe('CancelBuildButton for users the policy does not allow', () => {
  it('is disabled for those the policy does not allow, and says why', async () => {
    const user = userEvent.setup();
    renderButton({
      lubanApi: { cancelBuild: jest.fn() },
      permissionApi: denyingPermissionApi(),
    });

    const button = await screen.findByRole('button', {
      name: 'Cancel build #13',
    });
    await waitFor(() => expect(button).toBeDisabled());
    await user.hover(button.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only the owners of component:ledger-api can cancel a build',
    );
  });
});
