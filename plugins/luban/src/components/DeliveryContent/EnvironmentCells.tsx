import { Link } from '@backstage/core-components';
import type { LubanEnvironmentState } from '@luban-backstage/plugin-luban-common';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import BehindIcon from '@material-ui/icons/ArrowUpward';
import { PullRequestReview } from '../delivery/PullRequestReview';
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

/**
 * Whether anything of the app was ever deployed to an environment: its
 * overlay pins a digest or a tag. A new app's overlays name only the image
 * repository until its first build reaches them; Argo CD may still call that
 * application Healthy, and git gives the overlay an age, but nothing runs.
 */
export function isDeployed(environment: LubanEnvironmentState): boolean {
  return Boolean(environment.digest || environment.tag);
}

/** What the matrix says of an environment nothing was deployed to yet. */
export const NOT_DEPLOYED_YET = 'Not deployed yet';

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
  let reference: JSX.Element | null = null;
  if (digest) {
    reference = <DigestWithCopy digest={digest} />;
  } else if (!tag) {
    reference = <Absent>None yet</Absent>;
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
  if (!isDeployed(props.environment)) {
    return <Absent>None yet</Absent>;
  }
  if (!build) {
    return <Absent>Unknown</Absent>;
  }
  return (
    <>
      <Link
        className={classes.line}
        to={tabLink(buildTabPath(build.name))}
        aria-label={`Build #${build.number} in the Builds tab`}
      >
        Build #{build.number}
      </Link>
      {build.revision && (
        <span className={classes.line}>
          <CommitLink sha={build.revision} url={build.commitUrl} />
        </span>
      )}
    </>
  );
}

/** What the matrix says of an overlay merged that Argo CD does not run yet. */
export const WAITING_FOR_SYNC = 'Merged, waiting for sync';

/**
 * When the overlay of an environment last changed; while Argo CD does not
 * run it yet (an environment synced by hand), that it is merged, not deployed.
 */
export function DeployedCell(props: { environment: LubanEnvironmentState }) {
  const { deployedAt, rollout } = props.environment;
  const classes = useStyles();
  // The overlay's age is when the app was created, not a deployment.
  if (!isDeployed(props.environment)) {
    return <Absent>{NOT_DEPLOYED_YET}</Absent>;
  }
  if (!deployedAt) {
    return <Absent>Unknown</Absent>;
  }
  if (rollout === 'waiting-for-sync') {
    return (
      <>
        <span className={classes.line}>
          <RelativeTime value={deployedAt} />
        </span>
        <Typography
          component="span"
          variant="body2"
          color="textSecondary"
          className={classes.line}
        >
          {WAITING_FOR_SYNC}
        </Typography>
      </>
    );
  }
  return <RelativeTime value={deployedAt} />;
}

/** The open promotion or rollback pull request into an environment. */
export function PullRequestCell(props: { environment: LubanEnvironmentState }) {
  const { pullRequest } = props.environment;
  if (!pullRequest) {
    return <Absent>None</Absent>;
  }
  // The title is long ("Promote ledger-api snd → prd: sha256:…"): a tooltip
  // keeps the column to the number.
  return (
    <>
      <Tooltip title={pullRequest.title}>
        <Link
          to={pullRequest.url}
          aria-label={`Pull request #${pullRequest.number}: ${pullRequest.title}`}
        >
          #{pullRequest.number}
        </Link>
      </Tooltip>
      <PullRequestReview review={pullRequest.review} />
    </>
  );
}
