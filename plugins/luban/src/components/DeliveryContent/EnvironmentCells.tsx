import { Link } from '@backstage/core-components';
import type { LubanEnvironmentState } from '@luban-backstage/plugin-luban-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import BehindIcon from '@material-ui/icons/ArrowUpward';
import {
  CommitLink,
  DigestWithCopy,
  RelativeTime,
  buildTabPath,
  useEntityTabLink,
} from '../shared';

const useStyles = makeStyles(theme => ({
  line: { display: 'block', whiteSpace: 'nowrap' },
  behind: { marginTop: theme.spacing(0.5) },
}));

function Absent(props: { children: string }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {props.children}
    </Typography>
  );
}

/** The image an environment runs: its tag if any, its digest, and whether it lags its source. */
export function ImageCell(props: { environment: LubanEnvironmentState }) {
  const { digest, tag, image, behindSource, promotesFrom } = props.environment;
  const classes = useStyles();
  let reference: JSX.Element;
  if (digest) {
    reference = <DigestWithCopy digest={digest} />;
  } else if (image) {
    reference = <code>{image}</code>;
  } else {
    reference = <Absent>Not deployed</Absent>;
  }
  return (
    <>
      {tag && (
        <code className={classes.line} title={image}>
          {tag}
        </code>
      )}
      {reference}
      {behindSource && promotesFrom && (
        <div className={classes.behind}>
          <Chip
            size="small"
            variant="outlined"
            icon={<BehindIcon aria-hidden />}
            label={`behind ${promotesFrom}`}
          />
        </div>
      )}
    </>
  );
}

/** The commit and the kpack build that produced what an environment runs. */
export function BuildCell(props: { environment: LubanEnvironmentState }) {
  const { build } = props.environment;
  const classes = useStyles();
  const tabLink = useEntityTabLink();
  if (!build) {
    return <Absent>Unknown</Absent>;
  }
  return (
    <>
      {build.revision && (
        <span className={classes.line}>
          <CommitLink sha={build.revision} url={build.commitUrl} />
        </span>
      )}
      <Link
        to={tabLink(buildTabPath(build.name))}
        aria-label={`Build #${build.number} in the Builds tab`}
      >
        Build #{build.number}
      </Link>
    </>
  );
}

/** When the overlay of an environment last changed. */
export function DeployedCell(props: { environment: LubanEnvironmentState }) {
  const { deployedAt } = props.environment;
  if (!deployedAt) {
    return <Absent>Unknown</Absent>;
  }
  return <RelativeTime value={deployedAt} />;
}

/** The open promotion or rollback pull request into an environment. */
export function PullRequestCell(props: { environment: LubanEnvironmentState }) {
  const { pullRequest } = props.environment;
  if (!pullRequest) {
    return <Absent>None</Absent>;
  }
  return (
    <>
      <Link to={pullRequest.url}>#{pullRequest.number}</Link>
      <Typography variant="caption" display="block">
        {pullRequest.title}
      </Typography>
    </>
  );
}
