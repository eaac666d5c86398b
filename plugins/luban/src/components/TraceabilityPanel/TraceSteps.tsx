import { Link } from '@backstage/core-components';
import type {
  LubanDigestTrace,
  LubanTraceEnvironment,
  LubanTracePullRequest,
} from '@luban-backstage/plugin-luban-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';
import { RelativeTime } from '../shared';

export const useTraceStyles = makeStyles(theme => ({
  chain: { listStyle: 'none', margin: 0, padding: 0 },
  step: {
    position: 'relative',
    paddingLeft: theme.spacing(3),
    paddingBottom: theme.spacing(2),
    borderLeft: `2px solid ${theme.palette.divider}`,
    marginLeft: theme.spacing(1),
    '&:last-child': { borderLeftColor: 'transparent' },
    '&::before': {
      content: '""',
      position: 'absolute',
      left: -7,
      top: 4,
      width: 12,
      height: 12,
      borderRadius: '50%',
      backgroundColor: theme.palette.primary.main,
    },
  },
  detail: { display: 'block' },
  list: { margin: 0, paddingLeft: theme.spacing(2) },
  state: { marginLeft: theme.spacing(1), height: 20 },
}));

/** One link of the chain; titles are h3 under the panel's h2, so the chain can be walked by heading. */
export function TraceStep(props: { title: string; children: ReactNode }) {
  const classes = useTraceStyles();
  return (
    <li className={classes.step}>
      <Typography component="h3" variant="subtitle2">
        {props.title}
      </Typography>
      {props.children}
    </li>
  );
}

export function Absent(props: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {props.children}
    </Typography>
  );
}

const KIND_WORDS: Record<LubanTracePullRequest['kind'], string> = {
  promote: 'Promotion into',
  rollback: 'Rollback of',
};

const STATE_WORDS: Record<LubanTracePullRequest['state'], string> = {
  open: 'Open',
  merged: 'Merged',
  closed: 'Closed',
};

/** Every promotion and rollback pull request of the digest, open, merged or closed, as the git host holds them. */
export function PullRequestsStep(props: { trace?: LubanDigestTrace }) {
  const pullRequests = props.trace?.pullRequests;
  const classes = useTraceStyles();
  let content: ReactNode = <Absent>Reading the git host…</Absent>;
  if (pullRequests?.length === 0) {
    content = <Absent>luban opened no pull request for it.</Absent>;
  } else if (pullRequests) {
    content = (
      <ul className={classes.list} aria-label="Pull requests of the digest">
        {pullRequests.map(pull => (
          <li key={pull.url}>
            <Link to={pull.url}>#{pull.number}</Link> {KIND_WORDS[pull.kind]}{' '}
            {pull.environment}: {pull.title}
            <Chip
              size="small"
              variant="outlined"
              className={classes.state}
              label={STATE_WORDS[pull.state]}
            />
            {pull.closedAt && pull.state !== 'open' && (
              <Typography variant="caption" className={classes.detail}>
                {STATE_WORDS[pull.state]} <RelativeTime value={pull.closedAt} />
              </Typography>
            )}
          </li>
        ))}
      </ul>
    );
  }
  return <TraceStep title="Pull requests">{content}</TraceStep>;
}

/** What one environment did with the digest: runs it since, ran it until, or never ran it. */
function EnvironmentLine(props: { environment: LubanTraceEnvironment }) {
  const { name, running, arrivals } = props.environment;
  const [latest] = arrivals;
  if (!latest) return <>{name}: never ran it</>;
  if (running) {
    return (
      <>
        {name}: runs it, deployed <RelativeTime value={latest.at} />
      </>
    );
  }
  return (
    <>
      {name}: ran it from <RelativeTime value={latest.at} />
      {latest.replacedAt && (
        <>
          {' '}
          until <RelativeTime value={latest.replacedAt} />
        </>
      )}
    </>
  );
}

/** Each environment, in promotion order, and when the digest got there. */
export function EnvironmentsStep(props: { trace?: LubanDigestTrace }) {
  const environments = props.trace?.environments;
  const classes = useTraceStyles();
  return (
    <TraceStep title="Environments">
      {environments ? (
        <ul className={classes.list} aria-label="Environments of the digest">
          {environments.map(environment => (
            <li key={environment.name}>
              <EnvironmentLine environment={environment} />
            </li>
          ))}
        </ul>
      ) : (
        <Absent>Reading the overlays' history…</Absent>
      )}
    </TraceStep>
  );
}
