import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  LUBAN_APP_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
  ciNamespaceName,
  environmentNamespaceName,
  findNameProblem,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import { lubanApiRef } from '../../api';

const README_URL =
  'https://github.com/luban-backstage/luban-backstage/tree/main/plugins/luban#annotations';

// Card titles are real headings (h2 under the entity page's h1), so that
// screen-reader users can jump between the sections of the tab.
const headingProps = { component: 'h2', variant: 'h5' };

const useStyles = makeStyles(theme => ({
  details: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(3),
    rowGap: theme.spacing(1),
    margin: 0,
    '& dt': { fontWeight: theme.typography.fontWeightBold },
    '& dd': { margin: 0 },
  },
}));

function ProjectCard(props: { project: string; app?: string }) {
  const { project, app } = props;
  const classes = useStyles();
  const appProblem =
    app === undefined ? undefined : findNameProblem('app', app);

  return (
    <InfoCard title="Luban project" titleTypographyProps={headingProps}>
      <dl className={classes.details}>
        <dt>Project</dt>
        <dd>
          <code>{project}</code>
        </dd>
        <dt>App</dt>
        <dd>
          {app === undefined ? (
            <>
              Not set: add the <code>{LUBAN_APP_ANNOTATION}</code> annotation to
              build and deploy this entity as a luban app.
            </>
          ) : (
            <code>{app}</code>
          )}
        </dd>
      </dl>
      {appProblem && (
        <Alert severity="warning">
          {appProblem} Fix the <code>{LUBAN_APP_ANNOTATION}</code> annotation in
          the entity&apos;s catalog-info.yaml.
        </Alert>
      )}
    </InfoCard>
  );
}

function NamespacesCard(props: {
  project: string;
  environments: LubanEnvironment[];
}) {
  const { project, environments } = props;
  const rows = [
    { environment: 'ci', namespace: ciNamespaceName(project), role: 'Builds' },
    ...environments.map(env => ({
      environment: env.name,
      namespace: environmentNamespaceName(
        env.name,
        project,
        env.namespacePattern,
      ),
      role: 'Deployments',
    })),
  ];

  return (
    <InfoCard
      title="Namespaces"
      subheader="The build namespace, then one per environment in promotion order"
      titleTypographyProps={headingProps}
    >
      <Table
        size="small"
        aria-label={`Namespaces of the luban project ${project}`}
      >
        <TableHead>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Namespace</TableCell>
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
              <TableCell>{row.role}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {environments.length === 0 && (
        <Typography variant="body2">
          No deployment environments are configured: set{' '}
          <code>luban.environments</code> in the backend&apos;s app-config.
        </Typography>
      )}
    </InfoCard>
  );
}

/**
 * The message the backend gave, rather than the generic "Request failed with
 * 500" of a ResponseError, so that it is visible without expanding the panel.
 */
function backendMessage(error: Error): string {
  if (error instanceof ResponseError && error.cause.message) {
    return error.cause.message;
  }
  return error.message;
}

function ProjectOverview(props: { project: string; app?: string }) {
  const { project, app } = props;
  const lubanApi = useApi(lubanApiRef);
  const health = useAsync(() => lubanApi.getHealth(), [lubanApi]);

  let namespaces: JSX.Element;
  if (health.loading) {
    namespaces = <Progress aria-label="Loading the luban environments" />;
  } else if (health.error) {
    namespaces = (
      <ResponseErrorPanel
        title={`Could not load the luban environments: ${backendMessage(
          health.error,
        )}`}
        error={health.error}
      />
    );
  } else {
    namespaces = (
      <NamespacesCard
        project={project}
        environments={health.value?.environments ?? []}
      />
    );
  }

  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12} md={4}>
        <ProjectCard project={project} app={app} />
      </Grid>
      <Grid item xs={12} md={8}>
        {namespaces}
      </Grid>
    </Grid>
  );
}

/**
 * The Luban entity tab: the entity's luban project and app, and the
 * namespaces the project uses in each configured environment.
 */
export function LubanOverviewContent() {
  const { entity } = useEntity();
  const annotations = entity.metadata.annotations ?? {};
  const project = annotations[LUBAN_PROJECT_ANNOTATION];
  const app = annotations[LUBAN_APP_ANNOTATION];

  if (project === undefined) {
    return (
      <MissingAnnotationEmptyState
        annotation={LUBAN_PROJECT_ANNOTATION}
        readMoreUrl={README_URL}
      />
    );
  }

  const projectProblem = findNameProblem('project', project);
  if (projectProblem) {
    return (
      <EmptyState
        missing="field"
        title="Invalid luban project name"
        description={
          <>
            {projectProblem} Fix the <code>{LUBAN_PROJECT_ANNOTATION}</code>{' '}
            annotation in the entity&apos;s catalog-info.yaml.
          </>
        }
      />
    );
  }

  return <ProjectOverview project={project} app={app} />;
}
