import { ResponseErrorPanel } from '@backstage/core-components';
import type {
  LubanEnvironmentInsights,
  LubanInsights,
} from '@luban-backstage/plugin-luban-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Skeleton from '@material-ui/lab/Skeleton';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { backendMessage } from '../shared';
import {
  BuildsChart,
  EnvironmentCharts,
  formatRate,
  formatSeconds,
} from './InsightsCharts';

/** The windows a person may choose, in days. */
export const INSIGHTS_WINDOWS = [7, 30, 90] as const;

const useStyles = makeStyles(theme => ({
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  builds: { marginTop: theme.spacing(3) },
}));

function EnvironmentTable(props: {
  environments: LubanEnvironmentInsights[];
  caption: string;
}) {
  return (
    <Table size="small" aria-label={props.caption}>
      <TableHead>
        <TableRow>
          <TableCell>Environment</TableCell>
          <TableCell align="right">Deploys / week</TableCell>
          <TableCell align="right">Lead time (median)</TableCell>
          <TableCell align="right">Change failure rate</TableCell>
          <TableCell align="right">Time to restore (median)</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.environments.map(env => (
          <TableRow key={env.name}>
            <TableCell component="th" scope="row">
              {env.name}
            </TableCell>
            <TableCell align="right">
              {env.deploysPerWeek} ({env.deploys}{' '}
              {env.deploys === 1 ? 'deploy' : 'deploys'})
            </TableCell>
            <TableCell align="right">
              {formatSeconds(env.leadTimeSeconds.p50)}
            </TableCell>
            <TableCell align="right">
              {formatRate(env.changeFailureRate)}
              {env.failedDeploys > 0 &&
                ` (${env.rollbacks} rolled back, ${
                  env.failedSyncs
                } failed sync${env.failedSyncs === 1 ? '' : 's'})`}
            </TableCell>
            <TableCell align="right">
              {formatSeconds(env.timeToRestoreSeconds.p50)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function BuildsSummary(props: { insights: LubanInsights }) {
  const { builds, days } = props.insights;
  const classes = useStyles();
  return (
    <div className={classes.builds}>
      <Typography variant="subtitle1" component="h3">
        Builds
      </Typography>
      {builds.finished === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No finished builds in the last {days} days
        </Typography>
      ) : (
        <>
          <Typography variant="body2">
            {formatRate(builds.successRate)} succeeded ({builds.succeeded} of{' '}
            {builds.finished}) · duration median{' '}
            {formatSeconds(builds.durationSeconds.p50)}, 90th percentile{' '}
            {formatSeconds(builds.durationSeconds.p90)}
          </Typography>
          <BuildsChart builds={builds} />
        </>
      )}
    </div>
  );
}

/** Stands in for the insights while they load; announced as a busy progress bar. */
function InsightsSkeleton() {
  return (
    <div
      role="progressbar"
      aria-label="Loading delivery insights"
      aria-busy="true"
    >
      <Skeleton variant="rect" height={96} />
      <Skeleton variant="rect" height={120} style={{ marginTop: 16 }} />
    </div>
  );
}

function InsightsAnswer(props: { insights: LubanInsights; subject: string }) {
  const { insights, subject } = props;
  const deployed = insights.environments.some(env => env.deploys > 0);
  return (
    <>
      {deployed ? (
        <>
          <EnvironmentTable
            environments={insights.environments}
            caption={`Delivery of ${subject} per environment, last ${insights.days} days`}
          />
          <EnvironmentCharts environments={insights.environments} />
        </>
      ) : (
        <Typography variant="body2" color="textSecondary">
          No deploys in the last {insights.days} days
        </Typography>
      )}
      <BuildsSummary insights={insights} />
      {insights.problems?.map(problem => (
        <Typography key={problem} variant="body2" color="error">
          {problem}
        </Typography>
      ))}
    </>
  );
}

/**
 * Delivery insights with a window selector (7, 30 or 90 days): per
 * environment deploys per week, lead time, change failure rate and time to
 * restore, each with a small chart, and the builds' success and durations.
 */
export function InsightsView(props: {
  /** Reads the insights of the last `days` days. */
  load: (days: number) => Promise<LubanInsights>;
  /** What the insights are of, e.g. `ledger-api` or `project acme`. */
  subject: string;
}) {
  const { load, subject } = props;
  const classes = useStyles();
  const [days, setDays] = useState<number>(30);
  const insights = useAsync(() => load(days), [load, days]);

  let body: JSX.Element;
  if (insights.loading) body = <InsightsSkeleton />;
  else if (insights.error) {
    body = (
      <ResponseErrorPanel
        title={`Could not load the delivery insights: ${backendMessage(
          insights.error,
        )}`}
        error={insights.error}
      />
    );
  } else body = <InsightsAnswer insights={insights.value!} subject={subject} />;

  return (
    <>
      <div className={classes.toolbar}>
        <Typography variant="body2" color="textSecondary">
          From the GitOps history, the builds and Argo CD
        </Typography>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={days}
          aria-label="Insights window"
          onChange={(_event, value: number | null) => value && setDays(value)}
        >
          {INSIGHTS_WINDOWS.map(window => (
            <ToggleButton key={window} value={window}>
              {window} days
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </div>
      {body}
    </>
  );
}
