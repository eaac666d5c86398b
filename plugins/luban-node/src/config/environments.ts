import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  findNameProblem,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';

/**
 * The environments used when `luban.environments` is not configured.
 * @public
 */
export const DEFAULT_ENVIRONMENTS: ReadonlyArray<LubanEnvironment> = [
  { name: 'snd', namespacePattern: '{env}-{project}', autoSync: true },
  { name: 'prd', namespacePattern: '{env}-{project}', autoSync: false },
];

/**
 * Reads `luban.environments`, in promotion order, failing at startup with a
 * message that names the bad entry rather than later, at first use.
 * @public
 */
export function readLubanEnvironments(config: Config): LubanEnvironment[] {
  const entries = config.getOptionalConfigArray('luban.environments');
  if (!entries) {
    return DEFAULT_ENVIRONMENTS.map(env => ({ ...env }));
  }
  if (entries.length === 0) {
    throw new InputError('luban.environments must list at least one environment');
  }
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const name = entry.getString('name');
    const problem = findNameProblem('environment', name);
    if (problem) {
      throw new InputError(`luban.environments[${index}].name: ${problem}`);
    }
    if (seen.has(name)) {
      throw new InputError(`luban.environments[${index}].name: '${name}' is listed twice`);
    }
    seen.add(name);
    const namespacePattern = entry.getOptionalString('namespace') ?? '{env}-{project}';
    if (!namespacePattern.includes('{project}')) {
      throw new InputError(
        `luban.environments[${index}].namespace: '${namespacePattern}' must contain {project}, or every project would share one namespace`,
      );
    }
    const autoSync = entry.getOptionalBoolean('autoSync') ?? index === 0;
    return { name, namespacePattern, autoSync };
  });
}

/**
 * How long luban waits for one upstream request (`luban.requestTimeoutSeconds`, default 30 s).
 * @public
 */
export function readRequestTimeoutMs(config: Config): number {
  return (config.getOptionalNumber('luban.requestTimeoutSeconds') ?? 30) * 1000;
}
