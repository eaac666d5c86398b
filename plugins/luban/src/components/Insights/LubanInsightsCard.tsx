import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useCallback, useMemo } from 'react';
import { lubanApiRef } from '../../api';
import { LubanEntityGuard, cardHeadingProps } from '../shared';
import { InsightsView } from './InsightsView';

function AppInsights() {
  const { entity } = useEntity();
  const lubanApi = useApi(lubanApiRef);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const load = useCallback(
    (days: number) => lubanApi.getInsights(entityRef, days),
    [lubanApi, entityRef],
  );
  return (
    <InsightsView
      load={load}
      subject={entity.metadata.title ?? entity.metadata.name}
    />
  );
}

/**
 * Delivery insights of a luban app, for the entity's overview page: per
 * environment deploys per week, lead time, change failure rate and time to
 * restore, with a chart each, and its builds' success rate and durations.
 *
 * @public
 */
export function LubanInsightsCard() {
  const { entity } = useEntity();
  return (
    <InfoCard title="Delivery insights" titleTypographyProps={cardHeadingProps}>
      <LubanEntityGuard entity={entity} need="app">
        <AppInsights />
      </LubanEntityGuard>
    </InfoCard>
  );
}
