import { readFileSync } from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { LubanHealth } from '@luban-backstage/plugin-luban-common';

/**
 * Answers whether this luban backend is up and which version it runs; the
 * route is unauthenticated, so it says nothing of the configuration.
 */
export interface HealthService {
  getHealth(): LubanHealth;
}

function readOwnVersion(): string {
  const packageJson = resolvePackagePath('@luban-backstage/plugin-luban-backend', 'package.json');
  return JSON.parse(readFileSync(packageJson, 'utf8')).version;
}

/** Creates the health service; the version is read once, at startup. */
export function createHealthService(): HealthService {
  const health: LubanHealth = { status: 'ok', version: readOwnVersion() };
  return {
    getHealth: () => health,
  };
}
