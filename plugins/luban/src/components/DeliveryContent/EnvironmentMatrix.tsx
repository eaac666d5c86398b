import type {
  LubanEnvironmentState,
  LubanPromotionState,
} from '@luban-backstage/plugin-luban-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import type { ReactNode } from 'react';
import { ArgoCdStatus } from './ArgoCdStatus';
import { EnvironmentAddress } from './EnvironmentAddress';
import { RollbackProposal } from './RollbackProposal';
import {
  BuildCell,
  DeployedCell,
  ImageCell,
  PullRequestCell,
  isDeployed,
} from './EnvironmentCells';
import { VulnerabilitySummary } from './VulnerabilitySummary';

type Column =
  | 'Environment'
  | 'Image'
  | 'Build'
  | 'Deployed'
  | 'Argo CD'
  | 'Vulnerabilities'
  | 'Pull request';

const COLUMNS: Column[] = [
  'Environment',
  'Image',
  'Build',
  'Deployed',
  'Argo CD',
  'Vulnerabilities',
  'Pull request',
];

// The overview card is a third narrower than the Delivery tab: it keeps what
// a glance needs, and links to the tab for the rest.
const COMPACT_COLUMNS: Column[] = [
  'Environment',
  'Image',
  'Deployed',
  'Argo CD',
];

const useStyles = makeStyles(theme => ({
  // Only a very narrow window scrolls the matrix sideways; at 1,280 px it fits.
  scroll: { overflowX: 'auto' },
  // Cells keep their lines whole ("6 minutes ago", "prd"); the narrow cell
  // padding is what lets every column and action fit in a 1,280 px window.
  table: {
    '& td, & th': {
      verticalAlign: 'top',
      whiteSpace: 'nowrap',
      padding: theme.spacing(0.75),
    },
    // A two-word header ("Pull request") may take two lines rather than
    // widen a column whose cells are narrow ("#12"), but a word is never cut
    // ("Environme/nt" once a row's links squeezed the table).
    '& thead th': {
      whiteSpace: 'normal',
      verticalAlign: 'bottom',
      overflowWrap: 'normal',
      wordBreak: 'normal',
    },
  },
  problemsCell: { whiteSpace: 'normal !important' as 'normal' },
  environment: { fontWeight: 'bold' },
  problems: { margin: 0, paddingLeft: theme.spacing(2) },
}));

function Problems(props: { environment: string; problems: string[] }) {
  const { environment, problems } = props;
  const classes = useStyles();
  return (
    <Alert severity="warning">
      Part of what {environment} runs could not be read; the rest is shown.
      <ul className={classes.problems}>
        {problems.map(problem => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
    </Alert>
  );
}

function Cell(props: { column: Column; environment: LubanEnvironmentState }) {
  const { column, environment } = props;
  switch (column) {
    case 'Image':
      return <ImageCell environment={environment} />;
    case 'Build':
      return <BuildCell environment={environment} />;
    case 'Deployed':
      return <DeployedCell environment={environment} />;
    case 'Argo CD':
      return (
        <>
          <ArgoCdStatus
            argoCd={environment.argoCd}
            deployed={isDeployed(environment)}
          />
          <RollbackProposal environment={environment} />
        </>
      );
    case 'Vulnerabilities':
      return (
        <VulnerabilitySummary
          vulnerabilities={environment.vulnerabilities}
          digest={environment.digest}
        />
      );
    case 'Pull request':
      return <PullRequestCell environment={environment} />;
    default:
      return null;
  }
}

function EnvironmentRows(props: {
  environment: LubanEnvironmentState;
  appName: string;
  renderActions?: (environment: LubanEnvironmentState) => ReactNode;
  dataColumns: Column[];
  columns: number;
}) {
  const { environment, appName, renderActions, dataColumns, columns } = props;
  const classes = useStyles();
  // One row group per environment: its problems stay with it.
  return (
    <TableBody>
      <TableRow>
        {/* MUI gives an explicit `component` the role "cell"; restore the
            row header, so each cell is read with its environment. */}
        <TableCell
          component="th"
          scope="row"
          role="rowheader"
          className={classes.environment}
        >
          {environment.name}
          <EnvironmentAddress environment={environment} appName={appName} />
        </TableCell>
        {dataColumns.slice(1).map(column => (
          <TableCell key={column}>
            <Cell column={column} environment={environment} />
          </TableCell>
        ))}
        {renderActions && <TableCell>{renderActions(environment)}</TableCell>}
      </TableRow>
      {environment.problems?.length ? (
        <TableRow>
          <TableCell colSpan={columns} className={classes.problemsCell}>
            <Problems
              environment={environment.name}
              problems={environment.problems}
            />
          </TableCell>
        </TableRow>
      ) : null}
    </TableBody>
  );
}

/**
 * What runs in each environment of an app, in promotion order: one row per
 * environment, with the image, its commit and build, when it was deployed,
 * Argo CD's view of it, its vulnerabilities and the open pull request.
 *
 * @param renderActions - buttons for an environment's last column; the
 *   column is left out without it.
 * @param compact - only the environment, image, deploy time and Argo CD, for
 *   the overview card.
 */
export function EnvironmentMatrix(props: {
  state: LubanPromotionState;
  appName: string;
  renderActions?: (environment: LubanEnvironmentState) => ReactNode;
  compact?: boolean;
}) {
  const { state, appName, renderActions, compact } = props;
  const classes = useStyles();
  const dataColumns = compact ? COMPACT_COLUMNS : COLUMNS;
  const columns: string[] = renderActions
    ? [...dataColumns, 'Actions']
    : dataColumns;

  if (state.environments.length === 0) {
    return (
      <Typography variant="body2">
        No deployment environments are configured: set{' '}
        <code>luban.environments</code> in the backend&apos;s app-config.
      </Typography>
    );
  }

  return (
    <div className={classes.scroll}>
      <Table
        size="small"
        className={classes.table}
        aria-label={`Environments of ${appName}, in promotion order`}
      >
        <TableHead>
          <TableRow>
            {columns.map(column => (
              <TableCell key={column}>{column}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        {state.environments.map(environment => (
          <EnvironmentRows
            key={environment.name}
            environment={environment}
            appName={appName}
            renderActions={renderActions}
            dataColumns={dataColumns}
            columns={columns.length}
          />
        ))}
      </Table>
    </div>
  );
}
