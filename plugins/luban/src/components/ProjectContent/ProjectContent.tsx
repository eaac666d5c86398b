import { type Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  LUBAN_APP_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
  findNameProblem,
} from '@luban-backstage/plugin-luban-common';
import Grid from '@material-ui/core/Grid';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { lubanApiRef } from '../../api';
import { LubanEntityGuard, backendMessage } from '../shared';
import { NamespacesCard } from './NamespacesCard';
import { ProjectAppsCard } from './ProjectAppsCard';
import { ProjectCard } from './ProjectCard';
import { ReleaseCard } from '../Release';

/** The project's own page in the catalog: its System, not one of its apps. */
function isSystem(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'system';
}

/** The project and app from the annotations, the names from the backend. */
function ProjectView(props: { entity: Entity; project: string; app?: string }) {
  const { entity, project, app } = props;
  const lubanApi = useApi(lubanApiRef);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const view = useAsync(
    () => lubanApi.getProject(entityRef),
    [lubanApi, entityRef],
  );

  let namespaces: JSX.Element | null = null;
  if (view.loading) {
    namespaces = <Progress aria-label="Loading the luban environments" />;
  } else if (view.error) {
    namespaces = (
      <ResponseErrorPanel
        title={`Could not load the luban environments: ${backendMessage(
          view.error,
        )}`}
        error={view.error}
      />
    );
  } else if (view.value) {
    namespaces = <NamespacesCard view={view.value} />;
  }

  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12} md={4}>
        <ProjectCard
          project={project}
          app={app}
          view={view.value}
          isProjectSystem={isSystem(entity)}
        />
      </Grid>
      <Grid item xs={12} md={8}>
        {namespaces}
      </Grid>
      {isSystem(entity) && view.value && (
        <Grid item xs={12}>
          <ProjectAppsCard
            project={project}
            environments={view.value.environments.map(({ name }) => name)}
          />
        </Grid>
      )}
      {isSystem(entity) && view.value && (
        <Grid item xs={12}>
          <ReleaseCard entityRef={entityRef} />
        </Grid>
      )}
    </Grid>
  );
}

/** Explains what is wrong with the project annotation, or shows the project. */
function ValidProject(props: { entity: Entity }) {
  const annotations = props.entity.metadata.annotations ?? {};
  const project = annotations[LUBAN_PROJECT_ANNOTATION];
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
  return (
    <ProjectView
      entity={props.entity}
      project={project}
      app={annotations[LUBAN_APP_ANNOTATION]}
    />
  );
}

/**
 * The Project tab: the entity's luban project and app, what the project owns
 * on the platform (Harbor and Argo CD projects, GitOps repository), its
 * namespace in each configured environment and, on the project's System, its
 * apps by environment.
 *
 * @public
 */
export function ProjectContent() {
  const { entity } = useEntity();
  return (
    <LubanEntityGuard entity={entity} need="project">
      <ValidProject entity={entity} />
    </LubanEntityGuard>
  );
}
