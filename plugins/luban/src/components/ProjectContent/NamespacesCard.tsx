import { InfoCard } from '@backstage/core-components';
import type { LubanProjectView } from '@luban-backstage/plugin-luban-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { cardHeadingProps } from '../shared';

interface NamespaceRow {
  environment: string;
  namespace: string;
  role: string;
  cluster?: string;
}

function rowsOf(view: LubanProjectView): NamespaceRow[] {
  return [
    { environment: 'ci', namespace: view.ciNamespace, role: 'Builds' },
    ...view.environments.map(env => ({
      environment: env.name,
      namespace: env.namespace,
      role: 'Deployments',
      cluster: env.cluster ?? 'default',
    })),
  ];
}

/**
 * The project's namespaces, as the backend names them: the build namespace,
 * then one per environment in promotion order. The cluster column shows only
 * when an environment runs on a cluster of its own.
 */
export function NamespacesCard(props: { view: LubanProjectView }) {
  const { view } = props;
  const rows = rowsOf(view);
  const showCluster = view.environments.some(env => env.cluster);

  return (
    <InfoCard
      title="Namespaces"
      subheader="The build namespace, then one per environment in promotion order"
      titleTypographyProps={cardHeadingProps}
    >
      <Table
        size="small"
        aria-label={`Namespaces of the luban project ${view.project}`}
      >
        <TableHead>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Namespace</TableCell>
            {showCluster && <TableCell>Cluster</TableCell>}
            <TableCell>Used for</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(row => (
            <TableRow key={row.environment}>
              {/* MUI gives any explicit `component` the role "cell"; restore
                  the row header, so each namespace is read with its environment. */}
              <TableCell component="th" scope="row" role="rowheader">
                {row.environment}
              </TableCell>
              <TableCell>
                <code>{row.namespace}</code>
              </TableCell>
              {showCluster && <TableCell>{row.cluster ?? '—'}</TableCell>}
              <TableCell>{row.role}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {view.environments.length === 0 && (
        <Typography variant="body2">
          No deployment environments are configured: set{' '}
          <code>luban.environments</code> in the backend&apos;s app-config.
        </Typography>
      )}
    </InfoCard>
  );
}
