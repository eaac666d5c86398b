import { readFileSync } from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type {
  LubanEnvironment,
  LubanHealth,
} from '@luban-backstage/plugin-luban-common';

/** Answers what this luban backend is and how it is configured. */
export interface HealthService {
  getHealth(): LubanHealth;
}

function readOwnVersion(): string {
  const packageJson = resolvePackagePath(
    '@luban-backstage/plugin-luban-backend',
    'package.json',
  );
  return JSON.parse(readFileSync(packageJson, 'utf8')).version;
}

/** Creates the health service; the version is read once, at startup. */
export function createHealthService(options: {
  environments: LubanEnvironment[];
}): HealthService {
  const health: LubanHealth = {
    status: 'ok',
    version: readOwnVersion(),
    environments: options.environments,
  };
  return {
    getHealth: () => health,
  };
}
