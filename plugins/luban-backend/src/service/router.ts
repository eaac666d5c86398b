import express from 'express';
import Router from 'express-promise-router';
import type { HealthService } from './HealthService';

/** Builds the HTTP API of the luban backend; handlers only translate HTTP to service calls. */
export async function createRouter(options: {
  health: HealthService;
}): Promise<express.Router> {
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    res.json(options.health.getHealth());
  });

  return router;
}
