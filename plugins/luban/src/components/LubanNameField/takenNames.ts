import type { Entity } from '@backstage/catalog-model';
import type { CatalogApi } from '@backstage/plugin-catalog-react';
import {
  findNameProblem,
  type LubanNameKind,
} from '@luban-backstage/plugin-luban-common';

/** The kinds of name a form asks for, and the catalog kind each becomes. */
export type LubanFormNameKind = Extract<LubanNameKind, 'project' | 'app'>;

/**
 * A project is registered as a System named after it, an app (or a Dagster
 * code location) as a Component: the templates' catalog-info.yaml files.
 */
const CATALOG_KIND: Record<LubanFormNameKind, string> = {
  project: 'System',
  app: 'Component',
};

/** The kind of a form's name from its `ui:options`; an app unless it says project. */
export function nameKindOf(options?: { kind?: string }): LubanFormNameKind {
  return options?.kind === 'project' ? 'project' : 'app';
}

/**
 * The catalog entity that already carries `name` as a project or an app, if
 * any. The templates register both in the default namespace.
 */
export async function findEntityNamed(
  catalogApi: Pick<CatalogApi, 'getEntityByRef'>,
  kind: LubanFormNameKind,
  name: string,
): Promise<Entity | undefined> {
  return catalogApi.getEntityByRef({
    kind: CATALOG_KIND[kind],
    namespace: 'default',
    name,
  });
}

/** The refusal of a name the catalog already has, in words. */
export function nameTakenMessage(
  kind: LubanFormNameKind,
  name: string,
): string {
  const article = kind === 'app' ? 'An' : 'A';
  return `${article} ${kind} named "${name}" already exists; choose another name.`;
}

/**
 * What is wrong with a name typed into the form, in a sentence: the naming
 * rule of plugin-luban-common (its one home), or that the name is missing.
 */
export function nameProblemOf(
  kind: LubanFormNameKind,
  value: string | undefined,
): string | undefined {
  if (!value) return `Give the ${kind} a name.`;
  return findNameProblem(kind, value);
}
