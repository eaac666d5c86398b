import type { AuditorService, HttpAuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import type { EntityTargets, LubanTarget } from '../EntityTargets';
import type { Actor } from '../types';

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
function actionOf(permission: ResourcePermission<'catalog-entity'>): string {
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

  async function authorizedEntity(req: Request, permission: ResourcePermission<'catalog-entity'>): Promise<Entity> {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { kind, namespace, name } = req.params;
    // Read as the caller: an entity they may not read is a 404, like one that does not exist.
    const entity = await targets.readEntity(stringifyEntityRef({ kind, namespace, name }), credentials);
    const entityRef = stringifyEntityRef(entity);
    const [decision] = await permissions.authorize([{ permission, resourceRef: entityRef }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`You may not ${actionOf(permission)} ${entityRef}: only its owners may`);
    }
    return entity;
  }

  return {
    authorizedEntity,
    async authorizedTarget(req, permission) {
      const target = await targets.fromEntity(await authorizedEntity(req, permission));
      options.onTargetViewed?.(target);
      return target;
    },
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
