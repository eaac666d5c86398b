import { InfoCard } from '@backstage/core-components';
import {
  LUBAN_APP_ANNOTATION,
  findNameProblem,
  type LubanProjectView,
} from '@luban-backstage/plugin-luban-common';
import Alert from '@material-ui/lab/Alert';
import type { ReactNode } from 'react';
import { DetailsList, cardHeadingProps } from '../shared';

function appDetail(app: string | undefined): ReactNode {
  if (app === undefined) {
    return (
      <>
        Not set: add the <code>{LUBAN_APP_ANNOTATION}</code> annotation to build
        and deploy this entity as a luban app.
      </>
    );
  }
  return <code>{app}</code>;
}

/**
 * The entity's luban project and app, from its annotations, and what the
 * project owns on the platform once the backend has named it.
 */
export function ProjectCard(props: {
  project: string;
  app?: string;
  view?: LubanProjectView;
  /** The entity is the project's System: its apps are listed beside it, it is none of them. */
  isProjectSystem?: boolean;
}) {
  const { project, app, view, isProjectSystem } = props;
  const appProblem =
    app === undefined ? undefined : findNameProblem('app', app);
  const details: Array<[string, ReactNode]> = [
    ['Project', <code>{project}</code>],
  ];
  if (!isProjectSystem) {
    details.push(['App', appDetail(app)]);
  }
  if (view) {
    details.push(
      ['Harbor project', <code>{view.harborProject}</code>],
      ['Argo CD project', <code>{view.argoCdProject}</code>],
      ['GitOps repository', <code>{view.gitopsRepository}</code>],
    );
  }

  return (
    <InfoCard title="Project" titleTypographyProps={cardHeadingProps}>
      <DetailsList details={details} />
      {appProblem && (
        <Alert severity="warning">
          {appProblem} Fix the <code>{LUBAN_APP_ANNOTATION}</code> annotation in
          the entity&apos;s catalog-info.yaml.
        </Alert>
      )}
    </InfoCard>
  );
}
