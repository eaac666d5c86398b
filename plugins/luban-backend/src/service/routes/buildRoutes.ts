import { InputError, NotFoundError } from '@backstage/errors';
import { lubanBuildCancelPermission, lubanBuildReadPermission, lubanBuildRebuildPermission } from '@luban-backstage/plugin-luban-common';
import type { Request, Response, Router } from 'express';
import type { BuildService } from '../types';
import type { EntityAccess } from './entityAccess';
import { dryRunBody, NAME, parseBody } from './validation';

/** Streams a build's log as plain text: one step or all, followed while the build runs. */
async function sendBuildLog(req: Request, res: Response, access: EntityAccess, builds: BuildService) {
  const target = await access.authorizedTarget(req, lubanBuildReadPermission);
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
}

/** The kpack builds of an entity's app: list, one build, its log, and a rebuild. */
export function addBuildRoutes(router: Router, entityPath: string, access: EntityAccess, builds: BuildService) {
  router.get(`${entityPath}/builds`, async (req, res) => {
    const target = await access.authorizedTarget(req, lubanBuildReadPermission);
    res.json(await builds.listBuilds(target));
  });

  router.post(`${entityPath}/builds/rebuild`, async (req, res) => {
    const target = await access.authorizedTarget(req, lubanBuildRebuildPermission);
    const result = await access.audited(
      req,
      'luban-rebuild',
      { entityRef: target.entityRef, action: 'rebuild', target: `${target.image.namespace}/${target.image.name}` },
      () => builds.rebuild(target),
      r => ({ triggeredFrom: r.triggeredFrom }),
    );
    res.status(202).json(result);
  });

  router.post(`${entityPath}/builds/:build/cancel`, async (req, res) => {
    if (!NAME.test(req.params.build)) throw new InputError(`'${req.params.build}' is not a build name`);
    const { dryRun } = parseBody(dryRunBody, req.body);
    const run = async () => {
      const target = await access.authorizedTarget(req, lubanBuildCancelPermission);
      return builds.cancel(target, req.params.build, await access.actorOf(req), { dryRun });
    };
    if (dryRun) {
      // The build a cancel would stop, still running: not audited (it changes nothing).
      res.json(await run());
      return;
    }
    const meta = { entityRef: access.entityRefOf(req), action: 'cancel', build: req.params.build };
    // Authorized inside the audit event: a refused cancel is audited too.
    const build = await access.audited(req, 'luban-cancel-build', meta, run, r => ({ status: r.status, number: r.number }));
    res.json(build);
  });

  router.get(`${entityPath}/builds/:build`, async (req, res) => {
    const target = await access.authorizedTarget(req, lubanBuildReadPermission);
    const build = await builds.getBuild(target, req.params.build);
    if (!build) throw new NotFoundError(`${target.entityRef} has no build '${req.params.build}'`);
    res.json(build);
  });

  router.get(`${entityPath}/builds/:build/logs`, (req, res) => sendBuildLog(req, res, access, builds));
}
