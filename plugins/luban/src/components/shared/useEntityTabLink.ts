import { useEntity, useEntityRefLink } from '@backstage/plugin-catalog-react';

/**
 * Links to a tab of the current entity's page (`ci?build=…`, `delivery`),
 * absolute: a relative `../delivery` resolves against the route the
 * component renders in, which differs between the overview and a tab.
 */
export function useEntityTabLink(): (tab: string) => string {
  const { entity } = useEntity();
  const entityPage = useEntityRefLink()(entity).replace(/\/$/, '');
  return tab => `${entityPage}/${tab}`;
}

/** The path of a build in the CI tab, which opens the build named by `?build=`. */
export function buildTabPath(buildName: string): string {
  return `ci?build=${encodeURIComponent(buildName)}`;
}
