import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import type {
  LubanBuild,
  LubanBuildStep,
} from '@luban-backstage/plugin-luban-common';
import { makeStyles } from '@material-ui/core/styles';

/**
 * The state of a build or of one of its steps.
 * @public
 */
export type LubanStatus = LubanBuild['status'] | LubanBuildStep['state'];

const LABELS: Record<LubanStatus, string> = {
  waiting: 'Waiting',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const ICONS: Record<LubanStatus, () => JSX.Element> = {
  waiting: () => <StatusPending />,
  running: () => <StatusRunning />,
  succeeded: () => <StatusOK />,
  failed: () => <StatusError />,
  cancelled: () => <StatusAborted />,
};

/**
 * The word a user reads for a status, e.g. "Succeeded".
 * @public
 */
export function statusLabel(status: LubanStatus): string {
  return LABELS[status];
}

const useStyles = makeStyles({
  root: {
    display: 'inline-flex',
    alignItems: 'baseline',
    whiteSpace: 'nowrap',
  },
});

/**
 * A status as an icon and a word. The core-components status icons hide
 * themselves from screen readers, so the word is always rendered beside
 * them rather than inside them.
 *
 * @public
 */
export function StatusChip(props: { status: LubanStatus }) {
  const { status } = props;
  const classes = useStyles();
  const Icon = ICONS[status];
  return (
    <span className={classes.root}>
      <Icon />
      <span>{LABELS[status]}</span>
    </span>
  );
}
