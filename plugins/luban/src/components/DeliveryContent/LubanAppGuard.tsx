import type { Entity } from '@backstage/catalog-model';
import { MissingAnnotationEmptyState } from '@backstage/plugin-catalog-react';
import {
  LUBAN_APP_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
} from '@luban-backstage/plugin-luban-common';
import type { ReactNode } from 'react';

const README_URL =
  'https://github.com/luban-backstage/luban-backstage/tree/main/plugins/luban#annotations';

/**
 * Renders `children` only for a luban app: delivery needs both the project
 * and the app annotation, and names the ones that are missing.
 */
export function LubanAppGuard(props: { entity: Entity; children: ReactNode }) {
  const annotations = props.entity.metadata.annotations ?? {};
  const missing = [LUBAN_PROJECT_ANNOTATION, LUBAN_APP_ANNOTATION].filter(
    annotation => !annotations[annotation],
  );
  if (missing.length > 0) {
    return (
      <MissingAnnotationEmptyState
        annotation={missing}
        readMoreUrl={README_URL}
      />
    );
  }
  return <>{props.children}</>;
}
