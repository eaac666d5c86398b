import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useMemo, useState } from 'react';
import { backendMessage, cardHeadingProps } from '../shared';
import { LogText, filterLogLines, splitLogLines } from './LogText';
import { LogToolbar } from './LogToolbar';
import { useBuildLog } from './useBuildLog';
import { useStickToBottom } from './useStickToBottom';

export { ALL_STEPS } from './LogToolbar';

const useStyles = makeStyles(theme => ({
  log: {
    margin: 0,
    padding: theme.spacing(1.5),
    maxHeight: '60vh',
    minHeight: '8rem',
    overflow: 'auto',
    fontFamily: 'monospace',
    fontSize: '0.8125rem',
    lineHeight: 1.5,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    backgroundColor: theme.palette.background.default,
    color: theme.palette.text.primary,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
  footer: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    minHeight: theme.spacing(5),
    color: theme.palette.text.secondary,
  },
}));

/** What to say under the log about where it stands. */
function logProgress(log: {
  streaming: boolean;
  following: boolean;
  empty: boolean;
  paused: boolean;
}): string {
  if (log.streaming && log.following && log.paused) {
    return 'Paused: new lines wait until you resume.';
  }
  if (log.streaming && log.following) {
    return 'Following the build: new lines appear as they are written.';
  }
  if (log.streaming) {
    return 'Reading the log…';
  }
  if (log.empty) {
    return 'There is no log (yet).';
  }
  return 'End of the log.';
}

/** Where the log stands, and Pause/Resume and "Jump" while it is followed. */
function LogFooter(props: {
  progress: string;
  tailing: boolean;
  paused: boolean;
  onPauseChange: (paused: boolean) => void;
  pinned: boolean;
  onPin: () => void;
}) {
  const { progress, tailing, paused, onPauseChange, pinned, onPin } = props;
  const classes = useStyles();
  return (
    <div className={classes.footer}>
      <Typography variant="body2">{progress}</Typography>
      {tailing && (
        <Button
          size="small"
          variant="outlined"
          onClick={() => onPauseChange(!paused)}
        >
          {paused ? 'Resume' : 'Pause'}
        </Button>
      )}
      {tailing && !paused && !pinned && (
        <Button size="small" onClick={onPin}>
          Jump to the newest line
        </Button>
      )}
    </div>
  );
}

/**
 * The log of a build, one step or all, streamed as it is written while the
 * build runs. Lines can be searched and the log downloaded; the view sticks
 * to the newest line unless the user scrolls up.
 */
export function BuildLog(props: {
  entityRef: CompoundEntityRef;
  build: LubanBuild;
  /** The step shown, or undefined for all steps. */
  step: string | undefined;
  onStepChange: (step: string) => void;
  /** Told when the followed log of a running build ends. */
  onFollowEnd?: () => void;
}) {
  const { entityRef, build, step, onStepChange, onFollowEnd } = props;
  const classes = useStyles();
  const log = useBuildLog(
    entityRef,
    build.name,
    step,
    build.status === 'running',
    onFollowEnd,
  );
  const [query, setQuery] = useState('');
  // Paused, the view keeps the text it had; the stream goes on underneath.
  const [pausedText, setPausedText] = useState<string>();
  useEffect(() => setPausedText(undefined), [build.name, step]);
  const text = pausedText ?? log.text;
  const lines = useMemo(() => splitLogLines(text), [text]);
  const shown = useMemo(() => filterLogLines(lines, query), [lines, query]);
  const tailing = log.streaming && log.following;
  const runningStep = build.steps.find(s => s.state === 'running')?.name;
  const bottom = useStickToBottom<HTMLPreElement>({
    content: text,
    following: tailing,
    resetKey: `${build.name}\n${step}`,
  });

  const where = step ? `step ${step}` : 'all steps';
  return (
    <InfoCard title="Log" titleTypographyProps={cardHeadingProps}>
      <LogToolbar
        entityRef={entityRef}
        build={build}
        step={step}
        onStepChange={onStepChange}
        query={query}
        onQueryChange={setQuery}
        matches={{ shown: shown.length, total: lines.length }}
      />
      {log.error && (
        <Alert
          severity="error"
          action={<Button onClick={log.retry}>Retry</Button>}
        >
          Could not read the log: {backendMessage(log.error)}
        </Alert>
      )}
      <pre
        ref={bottom.ref}
        className={classes.log}
        role="log"
        aria-live="polite"
        aria-label={`Log of build #${build.number}, ${where}`}
        // Keyboard users can only scroll a region they can focus (the axe
        // rule scrollable-region-focusable).
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        onScroll={bottom.onScroll}
      >
        <LogText
          lines={shown}
          query={query}
          currentStep={step === undefined ? runningStep : undefined}
        />
      </pre>
      <LogFooter
        progress={logProgress({
          ...log,
          empty: lines.length === 0,
          paused: pausedText !== undefined,
        })}
        tailing={tailing}
        paused={pausedText !== undefined}
        onPauseChange={pause => setPausedText(pause ? log.text : undefined)}
        pinned={bottom.pinned}
        onPin={bottom.pin}
      />
    </InfoCard>
  );
}
