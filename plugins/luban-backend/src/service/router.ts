import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';
import { createPermissionIntegrationRouter } from '@backstage/plugin-permission-node';
import {
  lubanBuildReadPermission,
  lubanBuildRebuildPermission,
  lubanPermissions,
  lubanPromotionCreatePermission,
  lubanPromotionReadPermission,
  lubanPromotionRollbackPermission,
} from '@luban-backstage/plugin-luban-common';
import express, { type Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { entityMatches, UnsupportedRuleError } from '../permissions/entityConditions';
import type { EntityTargets, LubanTarget } from './EntityTargets';
import type { HealthService } from './HealthService';
import type { BuildService, PromotionService } from './types';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

const promoteBody = z
  .object({
    from: z.string().regex(NAME, 'must be an environment name'),
    to: z.string().regex(NAME, 'must be an environment name'),
    dryRun: z.boolean().optional(),
  })
  .strict();

const rollbackBody = z
  .object({
    env: z.string().regex(NAME, 'must be an environment name'),
    toDigest: z.string().regex(DIGEST, 'must be sha256:<64 hex digits>').optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`Invalid request body: ${issue.path.join('.') || 'body'} ${issue.message}`);
  }
  return parsed.data;
}

/** Builds the HTTP API of the luban backend; handlers only translate HTTP to service calls. */
export async function createRouter(options: {
  health: HealthService;
  targets: EntityTargets;
  builds: BuildService;
  promotion: PromotionService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** Called after a target is resolved, so live updates know whom to tell. */
  onTargetViewed?: (target: LubanTarget) => void;
}): Promise<express.Router> {
  const { httpAuth, permissions, auditor, targets, builds, promotion } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  router.use(createPermissionIntegrationRouter({ permissions: lubanPermissions }));

  router.get('/health', (_req, res) => {
    res.json(options.health.getHealth());
  });

  /**
   * The entity of the URL, after checking the caller may do `permission` on
   * it (403 otherwise, even when the UI is bypassed).
   */
  async function authorizedTarget(req: Request, permission: ResourcePermission<'catalog-entity'>): Promise<LubanTarget> {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { kind, namespace, name } = req.params;
    const entity = await targets.readEntity(stringifyEntityRef({ kind, namespace, name }));
    const entityRef = stringifyEntityRef(entity);
    const [decision] = await permissions.authorizeConditional([{ permission }], { credentials });
    let allowed = decision.result === AuthorizeResult.ALLOW;
    let why = 'only its owners may';
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      try {
        allowed = entityMatches(decision.conditions, entity);
      } catch (error) {
        if (!(error instanceof UnsupportedRuleError)) throw error;
        why = error.message;
      }
    }
    if (!allowed) {
      throw new NotAllowedError(`You may not ${permission.name.replace(/^luban\./, '').replace('.', ' ')} ${entityRef}: ${why}`);
    }
    const target = targets.fromEntity(entity);
    options.onTargetViewed?.(target);
    return target;
  }

  /** Runs a mutating call inside an audit event: actor, entity, action, target, result. */
  async function audited<T>(
    req: Request,
    eventId: string,
    meta: JsonObject,
    action: () => Promise<T>,
    resultMeta: (result: T) => JsonObject,
  ): Promise<T> {
    const event = await auditor.createEvent({ eventId, severityLevel: 'medium', request: req, meta });
    try {
      const result = await action();
      await event.success({ meta: resultMeta(result) });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  function actorOf(req: Request) {
    return httpAuth.credentials(req, { allow: ['user', 'service'] }).then(credentials => ({
      userEntityRef: credentials.principal.type === 'user' ? (credentials.principal as { userEntityRef: string }).userEntityRef : undefined,
    }));
  }

  const entity = '/entities/:kind/:namespace/:name';

  router.get(`${entity}/builds`, async (req, res) => {
    const target = await authorizedTarget(req, lubanBuildReadPermission);
    res.json(await builds.listBuilds(target));
  });

  router.post(`${entity}/builds/rebuild`, async (req, res) => {
    const target = await authorizedTarget(req, lubanBuildRebuildPermission);
    const result = await audited(
      req,
      'luban-rebuild',
      { entityRef: target.entityRef, action: 'rebuild', target: `${target.image.namespace}/${target.image.name}` },
      () => builds.rebuild(target),
      r => ({ triggeredFrom: r.triggeredFrom }),
    );
    res.status(202).json(result);
  });

  router.get(`${entity}/builds/:build`, async (req, res) => {
    const target = await authorizedTarget(req, lubanBuildReadPermission);
    const build = await builds.getBuild(target, req.params.build);
    if (!build) throw new NotFoundError(`${target.entityRef} has no build '${req.params.build}'`);
    res.json(build);
  });

  router.get(`${entity}/builds/:build/logs`, async (req, res) => {
    const target = await authorizedTarget(req, lubanBuildReadPermission);
    const step = typeof req.query.step === 'string' ? req.query.step : undefined;
    if (step !== undefined && !NAME.test(step)) throw new InputError(`'${step}' is not a build step name`);
    const follow = req.query.follow === 'true';
    const build = await builds.getBuild(target, req.params.build);
    if (!build) throw new NotFoundError(`${target.entityRef} has no build '${req.params.build}'`);
    // Once the headers are sent an error can only end the text: a wrong step must be a 400 before that.
    if (step !== undefined && !build.steps.some(s => s.name === step)) {
      throw new InputError(`'${step}' is not a build step; the steps are ${build.steps.map(s => s.name).join(', ')}`);
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    // No caching, and no compression: Backstage's compression middleware
    // (which skips no-transform responses) would hold a followed log back
    // until it ends. Proxies must not buffer it either.
    res.setHeader('Cache-Control', 'no-store, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    if (req.query.download === 'true') {
      res.setHeader('Content-Disposition', `attachment; filename="${build.name}${step ? `-${step}` : ''}.log"`);
    }
    res.flushHeaders();
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      await builds.streamLog(target, build.name, { step, follow, signal: abort.signal }, res);
    } catch (error) {
      // Headers are sent: the error can only end the text.
      if (!res.writableEnded) res.write(`\n[luban] the log ended early: ${(error as Error).message}\n`);
    }
    if (!res.writableEnded) res.end();
  });

  router.get(`${entity}/promotion`, async (req, res) => {
    const target = await authorizedTarget(req, lubanPromotionReadPermission);
    res.json(await promotion.getState(target));
  });

  router.get(`${entity}/promotion/:env/history`, async (req, res) => {
    const target = await authorizedTarget(req, lubanPromotionReadPermission);
    if (!NAME.test(req.params.env)) throw new InputError(`'${req.params.env}' is not an environment name`);
    res.json({ deployments: await promotion.history(target, req.params.env) });
  });

  router.post(`${entity}/promotion/promote`, async (req, res) => {
    const body = parseBody(promoteBody, req.body);
    const target = await authorizedTarget(req, lubanPromotionCreatePermission);
    const actor = await actorOf(req);
    const run = () => promotion.promote(target, body, actor);
    const result = body.dryRun
      ? await run()
      : await audited(req, 'luban-promote', { entityRef: target.entityRef, action: 'promote', from: body.from, target: body.to }, run, r => ({
          allowed: r.allowed,
          toDigest: r.toDigest,
          pullRequestUrl: r.pullRequest?.url,
        }));
    // Failed gates are an answer, not an error: the report says which and why.
    res.json(result);
  });

  router.post(`${entity}/promotion/rollback`, async (req, res) => {
    const body = parseBody(rollbackBody, req.body);
    const target = await authorizedTarget(req, lubanPromotionRollbackPermission);
    const actor = await actorOf(req);
    const run = () => promotion.rollback(target, body, actor);
    const result = body.dryRun
      ? await run()
      : await audited(req, 'luban-rollback', { entityRef: target.entityRef, action: 'rollback', target: body.env }, run, r => ({
          toDigest: r.toDigest,
          pullRequestUrl: r.pullRequest?.url,
        }));
    res.json(result);
  });

  return router;
}
