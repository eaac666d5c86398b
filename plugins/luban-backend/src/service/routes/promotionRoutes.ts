import { InputError } from '@backstage/errors';
import {
  IMAGE_DIGEST_PATTERN,
  lubanPromotionCreatePermission,
  lubanPromotionReadPermission,
  lubanPromotionRollbackPermission,
  lubanEnvironmentSyncPermission,
} from '@luban-backstage/plugin-luban-common';
import type { Router } from 'express';
import { z } from 'zod';
import type { PromotionService } from '../types';
import type { EntityAccess } from './entityAccess';
import { dryRunBody, NAME, parseBody } from './validation';

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
    toDigest: z.string().regex(IMAGE_DIGEST_PATTERN, 'must be sha256:<64 hex digits>').optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

/** Which digest runs where, its history, and promote and rollback (audited unless a dry run). */
export function addPromotionRoutes(router: Router, entityPath: string, access: EntityAccess, promotion: PromotionService) {
  router.get(`${entityPath}/promotion`, async (req, res) => {
    const target = await access.authorizedTarget(req, lubanPromotionReadPermission);
    res.json(await promotion.getState(target));
  });

  router.get(`${entityPath}/promotion/:env/history`, async (req, res) => {
    const target = await access.authorizedTarget(req, lubanPromotionReadPermission);
    if (!NAME.test(req.params.env)) throw new InputError(`'${req.params.env}' is not an environment name`);
    res.json({ deployments: await promotion.history(target, req.params.env) });
  });

  router.post(`${entityPath}/promotion/promote`, async (req, res) => {
    const body = parseBody(promoteBody, req.body);
    // Authorized inside the audit event: a refusal for the target environment is audited too.
    const run = async () => {
      const target = await access.authorizedEnvironmentTarget(req, lubanPromotionCreatePermission, body.to);
      return promotion.promote(target, body, await access.actorOf(req));
    };
    const meta = { entityRef: access.entityRefOf(req), action: 'promote', from: body.from, target: body.to };
    const result = body.dryRun
      ? await run()
      : await access.audited(req, 'luban-promote', meta, run, r => ({
          allowed: r.allowed,
          toDigest: r.toDigest,
          pullRequestUrl: r.pullRequest?.url,
        }));
    // Failed gates are an answer, not an error: the report says which and why.
    res.json(result);
  });

  router.post(`${entityPath}/promotion/:env/sync`, async (req, res) => {
    const { env } = req.params;
    if (!NAME.test(env)) throw new InputError(`'${env}' is not an environment name`);
    const { dryRun } = parseBody(dryRunBody, req.body);
    const run = async () => {
      const target = await access.authorizedEnvironmentTarget(req, lubanEnvironmentSyncPermission, env);
      return promotion.sync(target, env, await access.actorOf(req), { dryRun });
    };
    if (dryRun) {
      // As for promote: what a sync would start, not audited (it changes nothing).
      res.json(await run());
      return;
    }
    const meta = { entityRef: access.entityRefOf(req), action: 'sync', target: env };
    const result = await access.audited(req, 'luban-sync', meta, run, r => ({ application: r.application, revision: r.revision }));
    res.status(202).json(result);
  });

  router.post(`${entityPath}/promotion/rollback`, async (req, res) => {
    const body = parseBody(rollbackBody, req.body);
    const run = async () => {
      const target = await access.authorizedEnvironmentTarget(req, lubanPromotionRollbackPermission, body.env);
      return promotion.rollback(target, body, await access.actorOf(req));
    };
    const meta = { entityRef: access.entityRefOf(req), action: 'rollback', target: body.env };
    const result = body.dryRun
      ? await run()
      : await access.audited(req, 'luban-rollback', meta, run, r => ({
          toDigest: r.toDigest,
          pullRequestUrl: r.pullRequest?.url,
        }));
    res.json(result);
  });
}
