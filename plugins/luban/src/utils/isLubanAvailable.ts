import type { Entity } from '@backstage/catalog-model';
import {
  LUBAN_APP_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
} from '@luban-backstage/plugin-luban-common';

/**
 * True when the entity is connected to a luban project, that is when it has
 * a non-empty `luban.dev/project` annotation. Used to show the luban entity tabs.
 *
 * @remarks
 *
 * The value is deliberately not validated here: an entity with a malformed
 * project name still gets the tab, which then explains what is wrong with it.
 *
 * @public
 */
export function isLubanAvailable(entity: Entity): boolean {
  // The same test the tabs' guard applies, so a tab is never shown only to say the annotation is missing.
  return missingLubanAnnotations(entity, 'project').length === 0;
}

/**
 * True when the entity is a luban app's page, where the CI and Delivery tabs
 * belong: an entity with a luban project that is not the project's System.
 * A System is the project itself: it gets the project tab, not tabs asking
 * it for an app annotation it should not have.
 *
 * @public
 */
export function isLubanAppAvailable(entity: Entity): boolean {
  return (
    isLubanAvailable(entity) &&
    entity.kind.toLocaleLowerCase('en-US') !== 'system'
  );
}

/**
 * What a view of the plugin needs from an entity: a luban project (the
 * project tab), or a luban app of a project (builds and delivery).
 */
export type LubanEntityNeed = 'project' | 'app';

/** The luban annotations the entity lacks (or leaves empty) for `need`. */
export function missingLubanAnnotations(
  entity: Entity,
  need: LubanEntityNeed,
): string[] {
  const required =
    need === 'app'
      ? [LUBAN_PROJECT_ANNOTATION, LUBAN_APP_ANNOTATION]
      : [LUBAN_PROJECT_ANNOTATION];
  const annotations = entity.metadata.annotations ?? {};
  return required.filter(annotation => !annotations[annotation]);
}
