import { badRequest } from './errors';

/** One requirement of a label selector (k8s.io/apimachinery/pkg/labels). */
type Requirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p.length > 0);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function checkKey(key: string, selector: string) {
  if (!KEY.test(key)) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  }
}

/** Parses a label selector string; throws a 400 Status on bad syntax. */
export function parseLabelSelector(selector: string): Requirement[] {
  return splitTopLevel(selector).map(part => {
    let m = part.match(/^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/);
    if (m) {
      checkKey(m[1], selector);
      return {
        key: m[1],
        op: m[2] as 'in' | 'notin',
        values: m[3].split(',').map(v => v.trim()).filter(Boolean),
      };
    }
    m = part.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/);
    if (m) {
      checkKey(m[1], selector);
      return { key: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] };
    }
    m = part.match(/^(!?)([^=!\s()]+)$/);
    if (m) {
      checkKey(m[2], selector);
      return { key: m[2], op: m[1] ? '!exists' : 'exists' };
    }
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

/** Whether a label map satisfies every requirement. */
export function matchesLabels(
  requirements: Requirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      default:
        return false;
    }
  });
}

/** A parsed field selector: only the fields every resource supports. */
export interface FieldRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  op: '=' | '!=';
  value: string;
}

/** Parses a field selector; like the API server, only metadata.name/namespace are generic. */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  return splitTopLevel(selector).map(part => {
    const m = part.match(/^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) {
      throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    }
    const field = m[1];
    if (field !== 'metadata.name' && field !== 'metadata.namespace') {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, op: m[2] === '!=' ? '!=' : '=', value: m[3] };
  });
}

/** Whether an object's metadata satisfies every field requirement. */
export function matchesFields(
  requirements: FieldRequirement[],
  metadata: { name?: string; namespace?: string },
): boolean {
  return requirements.every(r => {
    const actual = (r.field === 'metadata.name' ? metadata.name : metadata.namespace) ?? '';
    return r.op === '=' ? actual === r.value : actual !== r.value;
  });
}
