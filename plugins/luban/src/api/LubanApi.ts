import { createApiRef } from '@backstage/core-plugin-api';
import type { LubanHealth } from '@luban-backstage/plugin-luban-common';

/**
 * The luban backend, as seen by the frontend.
 *
 * @remarks
 *
 * Methods are added here as the backend grows (builds, promotion); callers
 * depend on this interface, never on {@link LubanClient} directly.
 *
 * @public
 */
export interface LubanApi {
  /**
   * Reads the backend's version and the environments it is configured with,
   * in promotion order.
   */
  getHealth(): Promise<LubanHealth>;
}

/**
 * The reference to the {@link LubanApi}.
 * @public
 */
export const lubanApiRef = createApiRef<LubanApi>({
  id: 'plugin.luban.service',
});
