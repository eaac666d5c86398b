import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, ResponseErrorPanel } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EnvironmentMatrix } from '../DeliveryContent/EnvironmentMatrix';
import { LubanAppGuard } from '../DeliveryContent/LubanAppGuard';
import { MatrixSkeleton } from '../DeliveryContent/MatrixSkeleton';
import { usePromotionState } from '../DeliveryContent/usePromotionState';
import { backendMessage, useEntityTabLink } from '../shared';

/**
 * Props of {@link EntityLubanDeliveryCard}.
 * @public
 */
export interface LubanDeliveryCardProps {
  /**
   * Where the Delivery tab is. The default is the entity page's `delivery`
   * tab, where both frontend systems mount it.
   */
  deliveryLink?: string;
}

function DeliveryMatrix() {
  const { entity } = useEntity();
  const promotion = usePromotionState(stringifyEntityRef(entity));
  const appName = entity.metadata.title ?? entity.metadata.name;

  if (promotion.value) {
    return <EnvironmentMatrix state={promotion.value} appName={appName} />;
  }
  if (promotion.error) {
    return (
      <ResponseErrorPanel
        title={`Could not read what runs where: ${backendMessage(
          promotion.error,
        )}`}
        error={promotion.error}
      />
    );
  }
  return <MatrixSkeleton label="Loading the environments" rows={2} />;
}

/**
 * What runs in each environment of a luban app, for the entity's overview
 * page; promotion and rollback are on the Delivery tab it links to.
 *
 * @public
 */
export function LubanDeliveryCard(props: LubanDeliveryCardProps) {
  const tabLink = useEntityTabLink();
  const { deliveryLink = tabLink('delivery') } = props;
  const { entity } = useEntity();
  return (
    <InfoCard
      title="Delivery"
      titleTypographyProps={{ component: 'h2', variant: 'h5' }}
      deepLink={{ title: 'View delivery', link: deliveryLink }}
    >
      <LubanAppGuard entity={entity}>
        <DeliveryMatrix />
      </LubanAppGuard>
    </InfoCard>
  );
}
