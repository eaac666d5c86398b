import { makeStyles } from '@material-ui/core/styles';
import { Fragment } from 'react';

/** One line of a log and its number (from 1), which stays put when filtering. */
export interface LogLine {
  number: number;
  text: string;
  /** The step the line belongs to, in a log of all steps. */
  step?: string;
}

// The backend heads each step of a log of all steps with `--- <step> ---`
// (KpackBuildService.streamLog).
const STEP_HEADER = /^--- (\S+) ---$/;

// Buildpacks colour their output; the escape codes are noise in a web page.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPES = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Splits a log into numbered lines, without colour codes or a last empty line. */
export function splitLogLines(text: string): LogLine[] {
  const lines = text.replace(ANSI_ESCAPES, '').split(/\r?\n/);
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  let step: string | undefined;
  return lines.map((line, index) => {
    step = STEP_HEADER.exec(line)?.[1] ?? step;
    return { number: index + 1, text: line, step };
  });
}

/** The lines containing `query`, ignoring case; all lines for an empty query. */
export function filterLogLines(lines: LogLine[], query: string): LogLine[] {
  const needle = query.toLocaleLowerCase();
  if (!needle) {
    return lines;
  }
  return lines.filter(line => line.text.toLocaleLowerCase().includes(needle));
}

const useStyles = makeStyles(theme => ({
  line: {
    // Line numbers are generated content: they are neither copied with the
    // text nor read out by screen readers.
    '&::before': {
      content: 'attr(data-line)',
      display: 'inline-block',
      minWidth: '4ch',
      marginRight: theme.spacing(2),
      textAlign: 'right',
      color: theme.palette.text.secondary,
      userSelect: 'none',
    },
  },
  // The running step of a followed build: marked in the margin and shaded,
  // so the eye finds where the build is among all its steps.
  current: {
    display: 'inline-block',
    width: '100%',
    boxShadow: `inset 3px 0 0 ${theme.palette.primary.main}`,
    backgroundColor: theme.palette.action.hover,
  },
  match: {
    backgroundColor: theme.palette.secondary.main,
    color: theme.palette.secondary.contrastText,
  },
}));

function Highlighted(props: { text: string; query: string }) {
  const { text, query } = props;
  const classes = useStyles();
  if (!query) {
    return <>{text}</>;
  }
  const haystack = text.toLocaleLowerCase();
  const needle = query.toLocaleLowerCase();
  const parts: JSX.Element[] = [];
  let from = 0;
  for (
    let at = haystack.indexOf(needle);
    at >= 0;
    at = haystack.indexOf(needle, from)
  ) {
    parts.push(
      <Fragment key={at}>
        {text.slice(from, at)}
        <mark className={classes.match}>
          {text.slice(at, at + needle.length)}
        </mark>
      </Fragment>,
    );
    from = at + needle.length;
  }
  return (
    <>
      {parts}
      {text.slice(from)}
    </>
  );
}

/**
 * Log lines with their numbers, `query` highlighted. Meant to sit in a
 * `<pre>`: each line ends with a newline so that copying keeps the lines.
 */
export function LogText(props: {
  lines: LogLine[];
  query: string;
  /** The step to mark as running, in a log of all steps. */
  currentStep?: string;
}) {
  const { lines, query, currentStep } = props;
  const classes = useStyles();
  return (
    <>
      {lines.map(line => (
        <span
          key={line.number}
          className={
            currentStep && line.step === currentStep
              ? `${classes.line} ${classes.current}`
              : classes.line
          }
          data-line={line.number}
          data-current-step={
            currentStep && line.step === currentStep ? true : undefined
          }
        >
          <Highlighted text={line.text} query={query} />
          {'\n'}
        </span>
      ))}
    </>
  );
}
