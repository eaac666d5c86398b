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
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ComponentType } from 'react';

type ArgoCd = NonNullable<LubanEnvironmentState['argoCd']>;

// Argo CD's own words are shown as they are; the icon only adds a glance.
const SYNC_ICONS: Record<string, ComponentType> = {
  Synced: StatusOK,
  OutOfSync: StatusWarning,
};

const HEALTH_ICONS: Record<string, ComponentType> = {
  Healthy: StatusOK,
  Progressing: StatusRunning,
  Degraded: StatusError,
  Missing: StatusWarning,
  Suspended: StatusAborted,
};

const useStyles = makeStyles({
  status: { display: 'block', whiteSpace: 'nowrap' },
});

function StatusLine(props: {
  what: string;
  value: string;
  icons: Record<string, ComponentType>;
}) {
  const { what, value, icons } = props;
  const classes = useStyles();
  const Icon = icons[value] ?? StatusPending;
  // The status icons hide themselves from screen readers: the words carry it.
  return (
    <Typography component="span" variant="body2" className={classes.status}>
      <Icon />
      <span>
        {what} {value}
      </span>
    </Typography>
  );
}

/** The Argo CD application of an environment: sync and health, and a link to it. */
export function ArgoCdStatus(props: { argoCd?: ArgoCd }) {
  const { argoCd } = props;
  if (!argoCd) {
    return (
      <Typography variant="body2" color="textSecondary">
        No application
      </Typography>
    );
  }
  return (
    <>
      <StatusLine what="Sync" value={argoCd.syncStatus} icons={SYNC_ICONS} />
      <StatusLine
        what="Health"
        value={argoCd.healthStatus}
        icons={HEALTH_ICONS}
      />
      {argoCd.url && (
        <Typography variant="caption">
          <Link to={argoCd.url}>{argoCd.application}</Link>
        </Typography>
      )}
    </>
  );
}
