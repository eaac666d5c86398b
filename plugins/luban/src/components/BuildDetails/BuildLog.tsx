import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import DownloadIcon from '@material-ui/icons/GetApp';
import Alert from '@material-ui/lab/Alert';
import {
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type UIEvent,
} from 'react';
import { lubanApiRef } from '../../api';
import { backendMessage, statusLabel } from '../shared';
import { downloadBuildLog } from './downloadBuildLog';
import { LogText, filterLogLines, splitLogLines } from './LogText';
import { useBuildLog } from './useBuildLog';

/** The value of the step choice that shows every step's log. */
export const ALL_STEPS = 'all';

/** How close to the end (in pixels) still counts as "at the bottom". */
const BOTTOM_SLACK_PX = 16;

const headingProps = { component: 'h2', variant: 'h5' };

const useStyles = makeStyles(theme => ({
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  search: {
    flex: '1 1 16rem',
  },
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
}): string {
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
  const lubanApi = useApi(lubanApiRef);
  const alertApi = useApi(alertApiRef);
  const log = useBuildLog(
    entityRef,
    build.name,
    step,
    build.status === 'running',
    onFollowEnd,
  );
  const [query, setQuery] = useState('');
  const [downloading, setDownloading] = useState(false);
  const [pinnedToBottom, setPinnedToBottom] = useState(true);
  const logRef = useRef<HTMLPreElement>(null);
  const stepFieldId = useId();
  const searchFieldId = useId();

  const lines = useMemo(() => splitLogLines(log.text), [log.text]);
  const shown = useMemo(() => filterLogLines(lines, query), [lines, query]);
  const tailing = log.streaming && log.following;

  // Another log starts at its newest line again.
  useEffect(() => setPinnedToBottom(true), [build.name, step]);

  useLayoutEffect(() => {
    const element = logRef.current;
    if (element && tailing && pinnedToBottom) {
      element.scrollTop = element.scrollHeight;
    }
  }, [log.text, tailing, pinnedToBottom]);

  const onScroll = (event: UIEvent<HTMLPreElement>) => {
    const { scrollHeight, scrollTop, clientHeight } = event.currentTarget;
    setPinnedToBottom(
      scrollHeight - scrollTop - clientHeight <= BOTTOM_SLACK_PX,
    );
  };

  const download = async () => {
    setDownloading(true);
    try {
      await downloadBuildLog(lubanApi, entityRef, build.name, step);
    } catch (error) {
      alertApi.post({
        message: `Could not download the log: ${backendMessage(
          error as Error,
        )}`,
        severity: 'error',
      });
    } finally {
      setDownloading(false);
    }
  };

  const where = step ? `step ${step}` : 'all steps';
  return (
    <InfoCard title="Log" titleTypographyProps={headingProps}>
      <div className={classes.toolbar}>
        <TextField
          id={stepFieldId}
          select
          label="Step"
          value={step ?? ALL_STEPS}
          onChange={event => onStepChange(event.target.value)}
          SelectProps={{ native: true }}
          variant="outlined"
          size="small"
        >
          <option value={ALL_STEPS}>All steps</option>
          {build.steps.map(s => (
            <option key={s.name} value={s.name}>
              {s.name} ({statusLabel(s.state)})
            </option>
          ))}
        </TextField>
        <TextField
          id={searchFieldId}
          className={classes.search}
          type="search"
          label="Search the log"
          value={query}
          onChange={event => setQuery(event.target.value)}
          variant="outlined"
          size="small"
        />
        {query && (
          <Typography variant="body2" role="status">
            {shown.length} of {lines.length} lines match
          </Typography>
        )}
        <Button
          variant="outlined"
          startIcon={<DownloadIcon />}
          onClick={download}
          disabled={downloading}
        >
          Download
        </Button>
      </div>
      {log.error && (
        <Alert
          severity="error"
          action={<Button onClick={log.retry}>Retry</Button>}
        >
          Could not read the log: {backendMessage(log.error)}
        </Alert>
      )}
      <pre
        ref={logRef}
        className={classes.log}
        role="log"
        aria-live="polite"
        aria-label={`Log of build #${build.number}, ${where}`}
        // Keyboard users can only scroll a region they can focus (the axe
        // rule scrollable-region-focusable).
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        onScroll={onScroll}
      >
        <LogText lines={shown} query={query} />
      </pre>
      <div className={classes.footer}>
        <Typography variant="body2">
          {logProgress({ ...log, empty: lines.length === 0 })}
        </Typography>
        {tailing && !pinnedToBottom && (
          <Button size="small" onClick={() => setPinnedToBottom(true)}>
            Jump to the newest line
          </Button>
        )}
      </div>
    </InfoCard>
  );
}
