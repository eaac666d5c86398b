import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { LUBAN_PROJECT_ANNOTATION } from '@luban-backstage/plugin-luban-common';
import { useCallback, useMemo } from 'react';
import { lubanApiRef } from '../../api';
import { LubanEntityGuard, cardHeadingProps } from '../shared';
import { InsightsView } from './InsightsView';

function ProjectInsights() {
  const { entity } = useEntity();
  const lubanApi = useApi(lubanApiRef);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const load = useCallback(
    (days: number) => lubanApi.getProjectInsights(entityRef, days),
    [lubanApi, entityRef],
  );
  const project = entity.metadata.annotations?.[LUBAN_PROJECT_ANNOTATION];
  return <InsightsView load={load} subject={`project ${project}`} />;
}

/**
 * The Insights tab of a luban project's System: the delivery insights of
 * the project's apps together, per environment, and their builds.
 *
 * @public
 */
export function LubanProjectInsightsContent() {
  const { entity } = useEntity();
  return (
    <LubanEntityGuard entity={entity} need="project">
      <InfoCard
        title="Delivery insights of the project"
        titleTypographyProps={cardHeadingProps}
      >
        <ProjectInsights />
      </InfoCard>
    </LubanEntityGuard>
  );
}
