import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  findNameProblem,
  type LubanEnvironment,
  type LubanNameKind,
} from '@luban-backstage/plugin-luban-common';

/** Throws an InputError naming the field when `value` breaks the naming rules of `kind`. */
export function requireName(kind: LubanNameKind, field: string, value: unknown): string {
  const problem = findNameProblem(kind, value);
  if (problem) {
    throw new InputError(`Input '${field}': ${problem}`);
  }
  return value as string;
}

/** Parses an owner input as a Group entity reference (`group:default/team` or `team`). */
export function requireGroupRef(field: string, value: string): string {
  try {
    const ref = parseEntityRef(value, { defaultKind: 'group', defaultNamespace: 'default' });
    if (ref.kind.toLocaleLowerCase('en-US') !== 'group') {
      throw new Error(`it is a ${ref.kind}, not a Group`);
    }
    return `group:${ref.namespace}/${ref.name}`;
  } catch (error) {
    throw new InputError(`Input '${field}': '${value}' is not a Group entity reference (${(error as Error).message})`);
  }
}

/**
 * The configured environments a template asked for (all when it asked for
 * none), in promotion order; unknown names are an InputError.
 */
export function selectEnvironments(
  configured: LubanEnvironment[],
  requested: string[] | undefined,
  field = 'environments',
): LubanEnvironment[] {
  if (!requested || requested.length === 0) return configured;
  for (const name of requested) {
    if (!configured.some(env => env.name === name)) {
      throw new InputError(
        `Input '${field}': unknown environment '${name}'; configured environments: ${configured.map(e => e.name).join(', ')}`,
      );
    }
  }
  return configured.filter(env => requested.includes(env.name));
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;

/** Checks resource quantities such as `500m` or `8Gi`. */
export function requireQuantities(field: string, values: Record<string, string> | undefined) {
  for (const [resource, quantity] of Object.entries(values ?? {})) {
    if (!/^[a-z0-9.\/-]+$/i.test(resource)) {
      throw new InputError(`Input '${field}': '${resource}' is not a resource name`);
    }
    if (!QUANTITY.test(String(quantity))) {
      throw new InputError(`Input '${field}.${resource}': '${quantity}' is not a Kubernetes quantity such as 500m, 2 or 8Gi`);
    }
  }
}

/** Checks an environment variable name (POSIX: letters, digits and '_', not starting with a digit). */
export function requireEnvName(field: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) {
    throw new InputError(`Input '${field}': '${name}' is not an environment variable name (letters, digits and '_', not starting with a digit)`);
  }
  return name;
}

/** Checks an absolute HTTP path such as `/healthz`. */
export function requireHttpPath(field: string, path: string): string {
  if (!/^\/[A-Za-z0-9_.~\/-]{0,200}$/.test(path) || path.split('/').includes('..')) {
    throw new InputError(`Input '${field}': '${path}' is not an absolute HTTP path such as /healthz`);
  }
  return path;
}

const IMAGE_REFERENCE =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** Checks a container image reference such as `docker.io/library/postgres:16`. */
export function requireImage(field: string, image: string): string {
  if (!IMAGE_REFERENCE.test(image)) {
    throw new InputError(`Input '${field}': '${image}' is not a container image reference such as docker.io/library/postgres:16`);
  }
  return image;
}
