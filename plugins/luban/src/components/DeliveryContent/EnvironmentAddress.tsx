import { Link } from '@backstage/core-components';
import type { LubanEnvironmentState } from '@luban-backstage/plugin-luban-common';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import OpenIcon from '@material-ui/icons/OpenInNew';
import { isDeployed } from './EnvironmentCells';

const useStyles = makeStyles(theme => ({
  // Below the environment's name, an icon as wide as a short name: the column
  // does not widen, so the matrix still fits a 1,280 px window.
  link: { display: 'block', marginTop: theme.spacing(0.5), lineHeight: 0 },
  icon: { fontSize: 18 },
}));

/**
 * A link to the app in an environment, from the HTTPRoute of its overlay;
 * nothing when the app has no route there or nothing is deployed yet.
 */
export function EnvironmentAddress(props: {
  environment: LubanEnvironmentState;
  appName: string;
}) {
  const { environment, appName } = props;
  const classes = useStyles();
  if (!environment.url || !isDeployed(environment)) return null;
  return (
    <Tooltip title={environment.url}>
      <Link
        to={environment.url}
        className={classes.link}
        aria-label={`Open ${appName} in ${environment.name} (${environment.url})`}
      >
        <OpenIcon className={classes.icon} aria-hidden />
      </Link>
    </Tooltip>
  );
}
