import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EnvironmentMatrix } from '../DeliveryContent/EnvironmentMatrix';
import { PromotionStatePlaceholder } from '../DeliveryContent/PromotionStatePlaceholder';
import { usePromotionState } from '../DeliveryContent/usePromotionState';
import {
  LubanEntityGuard,
  cardHeadingProps,
  useEntityTabLink,
} from '../shared';

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
    return (
      <EnvironmentMatrix state={promotion.value} appName={appName} compact />
    );
  }
  return <PromotionStatePlaceholder error={promotion.error} rows={2} />;
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
      titleTypographyProps={cardHeadingProps}
      deepLink={{ title: 'View delivery', link: deliveryLink }}
    >
      <LubanEntityGuard entity={entity} need="app">
        <DeliveryMatrix />
      </LubanEntityGuard>
    </InfoCard>
  );
}
