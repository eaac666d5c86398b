import {
  Link,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { LubanEnvironmentState } from '@luban-backstage/plugin-luban-common';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ComponentType } from 'react';

type ArgoCd = NonNullable<LubanEnvironmentState['argoCd']>;

// The icon is the worse of sync and health, for a glance down the column;
// Argo CD's own words are shown beside it as they are.
const RANKED_ICONS: Array<[ComponentType, (argoCd: ArgoCd) => boolean]> = [
  [StatusError, a => a.healthStatus === 'Degraded'],
  [
    StatusWarning,
    a => a.healthStatus === 'Missing' || a.syncStatus === 'OutOfSync',
  ],
  [StatusAborted, a => a.healthStatus === 'Suspended'],
  [StatusRunning, a => a.healthStatus === 'Progressing'],
  [StatusOK, a => a.syncStatus === 'Synced' && a.healthStatus === 'Healthy'],
];

const useStyles = makeStyles({
  // One line per environment: "Synced · Healthy", the application in the tooltip.
  status: {
    display: 'inline-flex',
    alignItems: 'center',
    whiteSpace: 'nowrap',
  },
});

/**
 * The Argo CD application of an environment on one line: an icon for the
 * worse of sync and health, both in Argo CD's words, linking to the
 * application. `deployed: false` leaves health out: an application with
 * nothing of the app in it is not "Healthy" in any sense a user means.
 */
export function ArgoCdStatus(props: { argoCd?: ArgoCd; deployed?: boolean }) {
  const { argoCd, deployed = true } = props;
  const classes = useStyles();
  if (!argoCd) {
    return (
      <Typography variant="body2" color="textSecondary">
        No application
      </Typography>
    );
  }
  const Icon = deployed
    ? RANKED_ICONS.find(([, applies]) => applies(argoCd))?.[0] ?? StatusPending
    : StatusPending;
  // A sync a user started: shown while it runs, and when it did not succeed.
  const operation =
    argoCd.operation && argoCd.operation.phase !== 'Succeeded'
      ? ` · sync ${argoCd.operation.phase}`
      : '';
  const words = `${
    deployed
      ? `${argoCd.syncStatus} · ${argoCd.healthStatus}`
      : argoCd.syncStatus
  }${operation}`;
  const description = deployed
    ? `Sync ${argoCd.syncStatus}, health ${argoCd.healthStatus}, application ${argoCd.application}`
    : `Sync ${argoCd.syncStatus}, application ${argoCd.application}; no version of the app deployed yet`;
  // The status icons hide themselves from screen readers: the words carry it.
  return (
    <Tooltip title={description}>
      <Typography component="span" variant="body2" className={classes.status}>
        <Icon />
        {argoCd.url ? (
          <Link to={argoCd.url} aria-label={`Argo CD: ${description}`}>
            {words}
          </Link>
        ) : (
          <span>{words}</span>
        )}
      </Typography>
    </Tooltip>
  );
}
