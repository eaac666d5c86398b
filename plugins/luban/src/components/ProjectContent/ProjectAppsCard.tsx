import {
  type Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  LUBAN_APP_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
  type LubanEnvironmentState,
  type LubanPromotionState,
} from '@luban-backstage/plugin-luban-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { lubanApiRef } from '../../api';
import { ArgoCdStatus } from '../DeliveryContent/ArgoCdStatus';
import {
  NOT_DEPLOYED_YET,
  isDeployed,
} from '../DeliveryContent/EnvironmentCells';
import { backendMessage, cardHeadingProps, digestLabel } from '../shared';

interface AppRow {
  entity: Entity;
  state?: LubanPromotionState;
  error?: Error;
}

/** The project's apps, as the catalog knows them, each with what runs where. */
async function readApps(
  catalog: { getEntities: (request: any) => Promise<{ items: Entity[] }> },
  getPromotion: (entity: Entity) => Promise<LubanPromotionState>,
  project: string,
): Promise<AppRow[]> {
  const { items } = await catalog.getEntities({
    filter: {
      kind: 'Component',
      [`metadata.annotations.${LUBAN_PROJECT_ANNOTATION}`]: project,
    },
  });
  const apps = items
    .filter(entity => entity.metadata.annotations?.[LUBAN_APP_ANNOTATION])
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  // One app that cannot be read leaves the others on the page.
  return Promise.all(
    apps.map(entity =>
      getPromotion(entity).then(
        state => ({ entity, state }),
        error => ({ entity, error: error as Error }),
      ),
    ),
  );
}

function VersionCell(props: { environment?: LubanEnvironmentState }) {
  const { environment } = props;
  if (!environment || !isDeployed(environment)) {
    return (
      <Typography variant="body2" color="textSecondary">
        {NOT_DEPLOYED_YET}
      </Typography>
    );
  }
  return (
    <>
      <code>{environment.tag ?? digestLabel(environment.digest ?? '')}</code>
      <div>
        <ArgoCdStatus argoCd={environment.argoCd} />
      </div>
    </>
  );
}

/** One row per app, one column per environment. */
function AppsTable(props: {
  project: string;
  environments: string[];
  apps: AppRow[];
}) {
  const { project, environments, apps } = props;
  return (
    <Table size="small" aria-label={`Apps of ${project} by environment`}>
      <TableHead>
        <TableRow>
          <TableCell>App</TableCell>
          {environments.map(name => (
            <TableCell key={name}>{name}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {apps.map(({ entity, state, error }) => (
          <TableRow key={stringifyEntityRef(entity)}>
            <TableCell
              component="th"
              scope="row"
              role="rowheader"
              style={{ whiteSpace: 'nowrap' }}
            >
              <EntityRefLink entityRef={entity} hideIcon />
            </TableCell>
            {error ? (
              <TableCell colSpan={environments.length}>
                Could not be read: {backendMessage(error)}
              </TableCell>
            ) : (
              environments.map(name => (
                <TableCell key={name}>
                  <VersionCell
                    environment={state?.environments.find(
                      environment => environment.name === name,
                    )}
                  />
                </TableCell>
              ))
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The apps of a luban project by environment, for the project's System:
 * what each app runs in each environment and Argo CD's view of it, each app
 * linking to its page (CI and Delivery are there).
 */
export function ProjectAppsCard(props: {
  project: string;
  environments: string[];
}) {
  const { project, environments } = props;
  const catalogApi = useApi(catalogApiRef);
  const lubanApi = useApi(lubanApiRef);
  const apps = useAsync(
    () =>
      readApps(
        catalogApi,
        entity => lubanApi.getPromotion(getCompoundEntityRef(entity)),
        project,
      ),
    [catalogApi, lubanApi, project],
  );

  let content: JSX.Element;
  if (apps.loading) {
    content = <Progress aria-label="Loading the apps of the project" />;
  } else if (apps.error) {
    content = (
      <ResponseErrorPanel
        title={`Could not list the apps of ${project}: ${backendMessage(
          apps.error,
        )}`}
        error={apps.error}
      />
    );
  } else if (!apps.value?.length) {
    content = (
      <Typography variant="body2">
        No app of {project} is in the catalog yet: create one from the Create
        page.
      </Typography>
    );
  } else {
    content = (
      <AppsTable
        project={project}
        environments={environments}
        apps={apps.value}
      />
    );
  }

  return (
    <InfoCard title="Apps" titleTypographyProps={cardHeadingProps}>
      {content}
    </InfoCard>
  );
}
