import type { AuditorService, HttpAuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import { lubanEnvironmentResourceRef, type LUBAN_ENVIRONMENT_RESOURCE_TYPE } from '@luban-backstage/plugin-luban-common';
import type { Request } from 'express';
import type { EntityTargets, LubanTarget } from '../EntityTargets';
import type { Actor } from '../types';

/** A permission decided per entity, or per entity in one target environment. */
export type EntityPermission =
  | ResourcePermission<'catalog-entity'>
  | ResourcePermission<typeof LUBAN_ENVIRONMENT_RESOURCE_TYPE>;

/** What every entity route needs: the entity of the URL, authorized, and audit events for changes. */
export interface EntityAccess {
  /**
   * The entity of the URL, after the permission framework says the caller
   * may do `permission` on it (403 otherwise, even when the UI is bypassed).
   */
  authorizedEntity(req: Request, permission: ResourcePermission<'catalog-entity'>): Promise<Entity>;
  /**
   * {@link EntityAccess.authorizedEntity}, mapped to where its app lives on
   * the platform as its project's record says (403/404 when the entity and
   * the record disagree, before anything else is read).
   */
  authorizedTarget(req: Request, permission: ResourcePermission<'catalog-entity'>): Promise<LubanTarget>;
  /**
   * {@link EntityAccess.authorizedTarget} for a change of one environment:
   * the policy decides on the entity in that environment (promote, rollback).
   */
  authorizedEnvironmentTarget(
    req: Request,
    permission: ResourcePermission<typeof LUBAN_ENVIRONMENT_RESOURCE_TYPE>,
    environment: string,
  ): Promise<LubanTarget>;
  /** The entity reference of the URL, before anything is read (for audit events that start before authorization). */
  entityRefOf(req: Request): string;
  /** Runs a mutating call inside an audit event: actor, entity, action, target, result. */
  audited<T>(
    req: Request,
    eventId: string,
    meta: JsonObject,
    action: () => Promise<T>,
    resultMeta: (result: T) => JsonObject,
  ): Promise<T>;
  /** Who asked, for pull request bodies. */
  actorOf(req: Request): Promise<Actor>;
}

/** `luban.promotion.create` → `promotion create`, for refusals a person reads. */
function actionOf(permission: EntityPermission): string {
  return permission.name.replace(/^luban\./, '').replace('.', ' ');
}

/**
 * Creates the {@link EntityAccess} of the router. Decisions are the
 * permission framework's: a conditional decision (luban's owner policy uses
 * the catalog's `IS_ENTITY_OWNER`) is applied to the entity by the catalog.
 */
export function createEntityAccess(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  targets: EntityTargets;
  /** Called after a target is resolved, so live updates know whom to tell. */
  onTargetViewed?: (target: LubanTarget) => void;
}): EntityAccess {
  const { httpAuth, permissions, auditor, targets } = options;

  const entityRefOf = (req: Request) => {
    const { kind, namespace, name } = req.params;
    return stringifyEntityRef({ kind, namespace, name });
  };

  async function authorizedEntity(req: Request, permission: EntityPermission, environment?: string): Promise<Entity> {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    // Read as the caller: an entity they may not read is a 404, like one that does not exist.
    const entity = await targets.readEntity(entityRefOf(req), credentials);
    const entityRef = stringifyEntityRef(entity);
    const resourceRef = environment === undefined ? entityRef : lubanEnvironmentResourceRef(entityRef, environment);
    const [decision] = await permissions.authorize([{ permission, resourceRef }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        environment === undefined
          ? `You may not ${actionOf(permission)} ${entityRef}: only its owners may`
          : `You may not ${actionOf(permission)} ${entityRef} in ${environment}: only its owners may, in the environments the permission policy allows them`,
      );
    }
    return entity;
  }

  async function authorizedTarget(req: Request, permission: EntityPermission, environment?: string) {
    const target = await targets.fromEntity(await authorizedEntity(req, permission, environment));
    options.onTargetViewed?.(target);
    return target;
  }

  return {
    authorizedEntity,
    authorizedTarget: (req, permission) => authorizedTarget(req, permission),
    authorizedEnvironmentTarget: authorizedTarget,
    entityRefOf,
    async audited(req, eventId, meta, action, resultMeta) {
      const event = await auditor.createEvent({ eventId, severityLevel: 'medium', request: req, meta });
      try {
        const result = await action();
        await event.success({ meta: resultMeta(result) });
        return result;
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
    async actorOf(req) {
      const { principal } = await httpAuth.credentials(req, { allow: ['user', 'service'] });
      return { userEntityRef: principal.type === 'user' ? principal.userEntityRef : undefined };
    },
  };
}
