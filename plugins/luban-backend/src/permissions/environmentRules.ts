import type { AuthService } from '@backstage/backend-plugin-api';
import { RELATION_OWNED_BY } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
  type CreatePermissionRuleOptions,
} from '@backstage/plugin-permission-node';
import {
  LUBAN_ENVIRONMENT_RESOURCE_TYPE,
  parseLubanEnvironmentResourceRef,
} from '@luban-backstage/plugin-luban-common';

/**
 * An app entity in one target environment, as the permission rules of
 * promote and rollback see it.
 * @public
 */
export interface LubanEnvironmentResource {
  entityRef: string;
  /** The environment a promotion or rollback would change. */
  environment: string;
  /** The entity's owners as the catalog relates them (lower case). */
  owners: string[];
}

/**
 * The resource of `luban.promotion.create` and `luban.promotion.rollback`:
 * rules are applied by the luban backend, which loads the entity.
 * @public
 */
export const lubanEnvironmentPermissionResourceRef = createPermissionResourceRef<LubanEnvironmentResource, unknown>().with({
  pluginId: 'luban',
  resourceType: LUBAN_ENVIRONMENT_RESOURCE_TYPE,
});

// The query form is never used: luban decides one resource at a time.
const noQuery = (): never => {
  throw new Error('luban environment rules decide one resource at a time');
};

/**
 * The params of a luban environment rule that takes one list of strings, e.g. `{ environments: ['prd'] }`.
 * @public
 */
export type LubanRuleListParams<K extends string> = { [key in K]: string[] };

/**
 * The params schema of a rule that takes one list of strings, as a Standard
 * Schema with its JSON Schema (what the permission framework validates and
 * shows policy authors). Written out because zod 3's types are too deep for
 * the rule's overloads to resolve.
 */
function stringListParams<K extends string>(key: K, description: string) {
  const jsonSchema = () => ({
    type: 'object',
    properties: { [key]: { type: 'array', items: { type: 'string' }, description } },
    required: [key],
    additionalProperties: false,
  });
  const schema = {
    '~standard': {
      version: 1 as const,
      vendor: 'luban',
      validate(value: unknown) {
        const list = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
        if (!Array.isArray(list) || !list.every(item => typeof item === 'string')) {
          return { issues: [{ message: `expected { ${key}: string[] }` }] };
        }
        return { value: { [key]: list } as LubanRuleListParams<K> };
      },
      jsonSchema: { input: jsonSchema, output: jsonSchema },
    },
  };
  type Schema = NonNullable<CreatePermissionRuleOptions<typeof lubanEnvironmentPermissionResourceRef, LubanRuleListParams<K>>['paramsSchema']>;
  return schema as unknown as Schema;
}

/** Owners as the catalog's `IS_ENTITY_OWNER` decides them, so a policy reads the same for both. */
const isEntityOwner = createPermissionRule({
  name: 'IS_ENTITY_OWNER',
  description: 'Allow when the user owns the entity, directly or through a group',
  resourceRef: lubanEnvironmentPermissionResourceRef,
  paramsSchema: stringListParams('claims', 'the user and the groups it belongs to'),
  apply: (resource: LubanEnvironmentResource, { claims }: { claims: string[] }) => claims.some(claim => resource.owners.includes(claim.toLowerCase())),
  toQuery: noQuery,
});

/** The environment a promotion or rollback targets, compared by name. */
const isTargetEnvironment = createPermissionRule({
  name: 'IS_TARGET_ENVIRONMENT',
  description: 'Allow when the promotion or rollback changes one of the given environments',
  resourceRef: lubanEnvironmentPermissionResourceRef,
  paramsSchema: stringListParams('environments', 'environment names, e.g. prd'),
  apply: (resource: LubanEnvironmentResource, { environments }: { environments: string[] }) => environments.includes(resource.environment),
  toQuery: noQuery,
});

/** The rules of {@link lubanEnvironmentPermissionResourceRef}, for the permission framework. */
export const lubanEnvironmentRules = [isEntityOwner, isTargetEnvironment];

const exported = createConditionExports({
  resourceRef: lubanEnvironmentPermissionResourceRef,
  rules: { isEntityOwner, isTargetEnvironment },
});

/**
 * Conditions a policy can combine for promote and rollback:
 * `isEntityOwner({ claims })` and `isTargetEnvironment({ environments })`.
 * @public
 */
export const lubanEnvironmentConditions = exported.conditions;

/**
 * A conditional decision for promote or rollback, which the luban backend
 * applies to the entity and target environment of the request.
 * @public
 */
export const createLubanEnvironmentConditionalDecision = exported.createConditionalDecision;

/**
 * Loads the resources of permission requests: the entity (read as luban, so
 * the caller's own read rights are checked before, by the route) and the
 * environment of the reference. An unknown entity or a malformed reference
 * loads nothing, which the framework decides as a refusal.
 */
export function lubanEnvironmentResources(options: { catalog: CatalogService; auth: AuthService }) {
  return async (resourceRefs: string[]): Promise<Array<LubanEnvironmentResource | undefined>> => {
    const parsed = resourceRefs.map(parseLubanEnvironmentResourceRef);
    const entityRefs = [...new Set(parsed.flatMap(ref => (ref ? [ref.entityRef] : [])))];
    if (entityRefs.length === 0) return parsed.map(() => undefined);
    const credentials = await options.auth.getOwnServiceCredentials();
    const { items } = await options.catalog.getEntitiesByRefs({ entityRefs, fields: ['kind', 'metadata', 'relations'] }, { credentials });
    const ownersByRef = new Map(
      entityRefs.map((entityRef, index) => [
        entityRef,
        items[index]?.relations?.filter(r => r.type === RELATION_OWNED_BY).map(r => r.targetRef.toLowerCase()),
      ]),
    );
    return parsed.map(ref => {
      const owners = ref && ownersByRef.get(ref.entityRef);
      return ref && owners ? { entityRef: ref.entityRef, environment: ref.environment, owners } : undefined;
    });
  };
}
