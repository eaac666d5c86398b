import type { Entity } from '@backstage/catalog-model';
import { MissingAnnotationEmptyState } from '@backstage/plugin-catalog-react';
import type { ReactNode } from 'react';
import { type LubanEntityNeed, missingLubanAnnotations } from '../../utils';

const README_URL =
  'https://github.com/luban-backstage/luban-backstage/tree/main/plugins/luban#annotations';

/**
 * Renders `children` only for an entity with the luban annotations `need`
 * asks for, and otherwise names the missing ones and where to add them.
 */
export function LubanEntityGuard(props: {
  entity: Entity;
  need: LubanEntityNeed;
  children: ReactNode;
}) {
  const missing = missingLubanAnnotations(props.entity, props.need);
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
