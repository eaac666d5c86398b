import { RELATION_OWNED_BY, stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { PermissionCriteria, PermissionCondition } from '@backstage/plugin-permission-common';

type Condition = PermissionCondition<string>;

/**
 * The catalog's permission rules that luban can apply to an entity it has
 * already read, by the names the catalog registers them under. A policy
 * using another rule gets a denial that names it.
 */
const RULES: Record<string, (entity: Entity, params: any) => boolean> = {
  IS_ENTITY_OWNER: (entity, params: { claims: string[] }) => {
    const owners = new Set(
      (entity.relations ?? []).filter(r => r.type === RELATION_OWNED_BY).map(r => r.targetRef.toLocaleLowerCase('en-US')),
    );
    return params.claims.some(claim => owners.has(claim.toLocaleLowerCase('en-US')));
  },
  IS_ENTITY_KIND: (entity, params: { kinds: string[] }) =>
    params.kinds.some(kind => kind.toLocaleLowerCase('en-US') === entity.kind.toLocaleLowerCase('en-US')),
  HAS_ANNOTATION: (entity, params: { annotation: string; value?: string }) => {
    const value = entity.metadata.annotations?.[params.annotation];
    return params.value === undefined ? value !== undefined : value === params.value;
  },
  HAS_LABEL: (entity, params: { label: string }) => entity.metadata.labels?.[params.label] !== undefined,
  HAS_SPEC: (entity, params: { key: string; value?: string }) => {
    const value = (entity.spec as Record<string, unknown> | undefined)?.[params.key];
    return params.value === undefined ? value !== undefined : value === params.value;
  },
};

/** Thrown for a rule luban cannot apply; the caller denies. */
export class UnsupportedRuleError extends Error {}

/**
 * Applies a conditional permission decision's criteria (the catalog's rules
 * combined with allOf/anyOf/not) to an entity.
 */
export function entityMatches(criteria: PermissionCriteria<Condition>, entity: Entity): boolean {
  if ('allOf' in criteria) return criteria.allOf.every(c => entityMatches(c, entity));
  if ('anyOf' in criteria) return criteria.anyOf.some(c => entityMatches(c, entity));
  if ('not' in criteria) return !entityMatches(criteria.not, entity);
  const rule = RULES[criteria.rule];
  if (!rule) {
    throw new UnsupportedRuleError(
      `the permission policy's rule ${criteria.rule} cannot be applied to ${stringifyEntityRef(entity)} by luban`,
    );
  }
  return rule(entity, criteria.params ?? {});
}
