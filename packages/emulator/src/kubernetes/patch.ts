import { badRequest, StatusError } from './errors';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch: objects merge, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) {
    return patch;
  }
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = mergePatch(result[key], value) as Json;
    }
  }
  return result;
}

/** Keys by which strategic merge patch merges lists of objects (the common ones). */
const MERGE_KEYS = ['name', 'containerPort', 'port', 'mountPath', 'ip', 'type'];

/**
 * Strategic merge patch for the list shapes luban touches: lists of objects
 * that carry a merge key (containers, env, ports, volumes, conditions) are
 * merged item by item, other lists are replaced, `$patch: delete` removes.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(target)) {
    const key = MERGE_KEYS.find(
      k =>
        patch.every(item => isObject(item) && k in item) &&
        target.every(item => isObject(item) && k in item),
    );
    if (!key || patch.length === 0) {
      return patch;
    }
    const merged = [...target] as JsonObject[];
    for (const item of patch as JsonObject[]) {
      const index = merged.findIndex(existing => existing[key] === item[key]);
      if (item.$patch === 'delete') {
        if (index >= 0) merged.splice(index, 1);
      } else if (index >= 0) {
        merged[index] = strategicMergePatch(merged[index], item) as JsonObject;
      } else {
        merged.push(item);
      }
    }
    return merged;
  }
  if (!isObject(patch)) {
    return patch;
  }
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = strategicMergePatch(result[key], value) as Json;
    }
  }
  return result;
}

/** Decodes one RFC 6901 pointer into path segments. */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer "${pointer}"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function patchFailure(message: string): StatusError {
  // kube-apiserver answers a json-patch that cannot apply with 422 and this wording.
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Invalid',
    code: 422,
  });
}

function resolveParent(doc: unknown, path: string[]): { parent: any; key: string } {
  let parent: any = doc;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(parent)) {
      parent = parent[Number(segment)];
    } else if (isObject(parent)) {
      parent = parent[segment];
    } else {
      parent = undefined;
    }
    if (parent === undefined) {
      throw patchFailure(`doc is missing path: "/${path.join('/')}": missing value`);
    }
  }
  return { parent, key: path[path.length - 1] };
}

function getAt(doc: unknown, path: string[]): unknown {
  let current: any = doc;
  for (const segment of path) {
    if (current === undefined || current === null) return undefined;
    current = Array.isArray(current) ? current[Number(segment)] : current[segment];
  }
  return current;
}

/**
 * Adds, replaces or removes the value at `path` (an RFC 6901 pointer, parsed)
 * and returns the document (a new root when `path` is the root).
 */
function applyAt(
  doc: unknown,
  path: string[],
  pointer: string,
  kind: 'add' | 'replace' | 'remove',
  value?: unknown,
): unknown {
  if (path.length === 0) {
    if (kind === 'remove') throw patchFailure('unable to remove the document root');
    return value;
  }
  const { parent, key } = resolveParent(doc, path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw patchFailure(`unable to ${kind} at index ${key}: index out of bounds`);
    }
    if (kind === 'add') {
      parent.splice(index, 0, value);
    } else if (index >= parent.length) {
      throw patchFailure(`${kind} operation does not apply: doc is missing path: "${pointer}": missing value`);
    } else if (kind === 'replace') {
      parent[index] = value;
    } else {
      parent.splice(index, 1);
    }
  } else if (isObject(parent)) {
    if (kind !== 'add' && !(key in parent)) {
      throw patchFailure(`${kind} operation does not apply: doc is missing path: "${pointer}": missing value`);
    }
    if (kind === 'remove') delete parent[key];
    else parent[key] = value as Json;
  } else {
    throw patchFailure(`doc is missing path: "${pointer}": missing value`);
  }
  return doc;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw badRequest('the server rejected our request due to an error in our request');
  }
  let doc: unknown = structuredClone(target);
  for (const op of operations) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw badRequest('the server rejected our request due to an error in our request');
    }
    const path = parsePointer(op.path);
    switch (op.op) {
      case 'add':
      case 'replace':
        doc = applyAt(doc, path, op.path, op.op, structuredClone(op.value));
        break;
      case 'remove':
        doc = applyAt(doc, path, op.path, 'remove');
        break;
      case 'copy':
      case 'move': {
        if (typeof op.from !== 'string') throw badRequest('missing "from" in json patch');
        const from = parsePointer(op.from);
        const value = getAt(doc, from);
        if (value === undefined) {
          throw patchFailure(`${op.op} operation does not apply: doc is missing from path: "${op.from}": missing value`);
        }
        if (op.op === 'move') doc = applyAt(doc, from, op.from, 'remove');
        doc = applyAt(doc, path, op.path, 'add', structuredClone(value));
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value)) {
          throw patchFailure(`testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
