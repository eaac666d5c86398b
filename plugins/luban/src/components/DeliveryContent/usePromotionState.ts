import { parseEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { lubanApiRef } from '../../api';
import { useLubanUpdates } from '../../hooks';

/** A deployment or a promotion pull request changes what the matrix shows. */
const DELIVERY_SIGNALS = ['deployment', 'promotion'] as const;

/**
 * What runs in each environment of the entity, read again whenever a signal
 * says a deployment or promotion changed (and on `retry`). While it is read
 * again the previous state stays in `value`, so the page does not flicker.
 */
export function usePromotionState(entityRef: string) {
  const lubanApi = useApi(lubanApiRef);
  const updates = useLubanUpdates(entityRef, DELIVERY_SIGNALS);
  return useAsyncRetry(
    () => lubanApi.getPromotion(parseEntityRef(entityRef)),
    [lubanApi, entityRef, updates],
  );
}
