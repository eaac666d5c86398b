import Tooltip from '@material-ui/core/Tooltip';
import { useEffect, useState } from 'react';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Largest unit first: the first one that fits at least once is used.
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * DAY],
  ['month', 30 * DAY],
  ['week', 7 * DAY],
  ['day', DAY],
  ['hour', HOUR],
  ['minute', MINUTE],
];

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * "3 minutes ago", "yesterday", "in 2 hours"; "just now" within a minute.
 *
 * @public
 */
export function formatRelativeTime(date: Date, now: Date): string {
  const seconds = (date.getTime() - now.getTime()) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) {
      return relativeFormat.format(Math.round(seconds / size), unit);
    }
  }
  return 'just now';
}

/** The current time, renewed every minute so that "2 minutes ago" stays true. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), MINUTE * 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * A point in time shown relative to now, with the absolute local time on
 * hover and in the machine-readable `dateTime` of a `<time>` element.
 *
 * @public
 */
export function RelativeTime(props: { value: string }) {
  const { value } = props;
  const now = useNow();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return <span>{value}</span>;
  }
  return (
    <Tooltip title={date.toLocaleString()}>
      <time dateTime={date.toISOString()}>{formatRelativeTime(date, now)}</time>
    </Tooltip>
  );
}
