import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { RelativeTime, formatRelativeTime } from './RelativeTime';

describe('formatRelativeTime', () => {
  const now = new Date('2024-05-03T12:00:00Z');

  it.each([
    ['2024-05-03T11:59:30Z', 'just now'],
    ['2024-05-03T11:57:00Z', '3 minutes ago'],
    ['2024-05-03T10:00:00Z', '2 hours ago'],
    ['2024-05-02T11:00:00Z', 'yesterday'],
    ['2024-04-19T12:00:00Z', '2 weeks ago'],
    ['2024-05-03T14:00:00Z', 'in 2 hours'],
  ])('says %p is %p', (when, text) => {
    expect(formatRelativeTime(new Date(when), now)).toBe(text);
  });
});

describe('RelativeTime', () => {
  it('shows the relative time in a <time> element with the absolute time on hover', async () => {
    const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000);
    renderInTestApp(<RelativeTime value={fiveMinutesAgo.toISOString()} />);

    const time = await screen.findByText('5 minutes ago');
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('dateTime', fiveMinutesAgo.toISOString());
    expect(time).toHaveAttribute('title', fiveMinutesAgo.toLocaleString());
  });

  it('shows a value that is not a date as it is', async () => {
    renderInTestApp(<RelativeTime value="not a date" />);

    expect(await screen.findByText('not a date')).toBeInTheDocument();
  });
});
