import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BuildReasons } from './BuildReasons';

describe('BuildReasons', () => {
  it('lists the reasons and explains them on hover', async () => {
    const user = userEvent.setup();
    renderInTestApp(<BuildReasons reasons={['COMMIT', 'STACK']} />);

    const list = await screen.findByRole('list', { name: 'Reasons' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual(['COMMIT', 'STACK']);

    await user.hover(screen.getByText('STACK'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Stack update. The builder got a new stack (run image)',
    );
  });
});
