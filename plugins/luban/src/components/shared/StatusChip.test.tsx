import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { StatusChip } from './StatusChip';

describe('StatusChip', () => {
  it.each([
    ['waiting', 'Waiting', 'status-pending'],
    ['running', 'Running', 'status-running'],
    ['succeeded', 'Succeeded', 'status-ok'],
    ['failed', 'Failed', 'status-error'],
  ] as const)(
    'shows %p as the word %p beside its icon',
    async (status, label, icon) => {
      renderInTestApp(<StatusChip status={status} />);

      const word = await screen.findByText(label);
      // The word is outside the aria-hidden icon, so screen readers read it.
      expect(word.closest('[aria-hidden="true"]')).toBeNull();
      expect(screen.getByTestId(icon)).toBeInTheDocument();
    },
  );
});
