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
import {
  BuildCell,
  DeployedCell,
  ImageCell,
  PullRequestCell,
} from './EnvironmentCells';
import { VulnerabilitySummary } from './VulnerabilitySummary';

const COLUMNS = [
  'Environment',
  'Image',
  'Commit and build',
  'Deployed',
  'Argo CD',
  'Vulnerabilities',
  'Pull request',
];

const useStyles = makeStyles(theme => ({
  // Narrow cards scroll the matrix sideways rather than squeeze its columns.
  scroll: { overflowX: 'auto' },
  // Cells keep their lines whole ("6 minutes ago", "prd"); the card scrolls instead.
  table: { '& td, & th': { verticalAlign: 'top', whiteSpace: 'nowrap' } },
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

function EnvironmentRows(props: {
  environment: LubanEnvironmentState;
  renderActions?: (environment: LubanEnvironmentState) => ReactNode;
  columns: number;
}) {
  const { environment, renderActions, columns } = props;
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
        </TableCell>
        <TableCell>
          <ImageCell environment={environment} />
        </TableCell>
        <TableCell>
          <BuildCell environment={environment} />
        </TableCell>
        <TableCell>
          <DeployedCell environment={environment} />
        </TableCell>
        <TableCell>
          <ArgoCdStatus argoCd={environment.argoCd} />
        </TableCell>
        <TableCell>
          <VulnerabilitySummary vulnerabilities={environment.vulnerabilities} />
        </TableCell>
        <TableCell>
          <PullRequestCell environment={environment} />
        </TableCell>
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
 */
export function EnvironmentMatrix(props: {
  state: LubanPromotionState;
  appName: string;
  renderActions?: (environment: LubanEnvironmentState) => ReactNode;
}) {
  const { state, appName, renderActions } = props;
  const classes = useStyles();
  const columns = renderActions ? [...COLUMNS, 'Actions'] : COLUMNS;

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
            renderActions={renderActions}
            columns={columns.length}
          />
        ))}
      </Table>
    </div>
  );
}
