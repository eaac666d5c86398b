import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';

/** What each of kpack's build reasons means, for the chips' tooltips. */
const REASON_HELP: Record<string, string> = {
  COMMIT: 'A new commit on the source branch',
  TRIGGER: 'Someone asked for a rebuild',
  CONFIG: "The kpack Image's configuration changed",
  BUILDPACK: 'The builder got new buildpacks',
  STACK: 'Stack update. The builder got a new stack (run image)',
};

const useStyles = makeStyles(theme => ({
  list: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
}));

/**
 * Why kpack started a build (COMMIT, TRIGGER, CONFIG, BUILDPACK, STACK), as
 * chips that explain themselves on hover.
 *
 * @public
 */
export function BuildReasons(props: { reasons: string[] }) {
  const { reasons } = props;
  const classes = useStyles();
  return (
    <ul className={classes.list} aria-label="Reasons">
      {reasons.map(reason => (
        <li key={reason}>
          <Tooltip title={REASON_HELP[reason] ?? reason}>
            <Chip label={reason} size="small" variant="outlined" />
          </Tooltip>
        </li>
      ))}
    </ul>
  );
}
