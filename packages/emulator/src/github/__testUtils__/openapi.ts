import { readFileSync } from 'node:fs';

/** A JSON schema of an OpenAPI 3.0 description (the parts the checker reads). */
interface Schema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          { content?: Record<string, { schema: Schema }> }
        >;
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

let cached: OpenApi | undefined;

/** GitHub Enterprise Server 3.17's OpenAPI description, as published in @octokit/openapi. */
function description(): OpenApi {
  // Read at run time: importing 11 MB of JSON would make the type checker infer all of it.
  cached ??= JSON.parse(
    readFileSync(
      require.resolve('@octokit/openapi/generated/ghes-3.17.json'),
      'utf8',
    ),
  ) as OpenApi;
  return cached;
}

function deref(schema: Schema): Schema {
  let current = schema;
  while (current.$ref) {
    const name = current.$ref.replace('#/components/schemas/', '');
    current = description().components.schemas[name];
    if (!current) throw new Error(`unknown schema ${name}`);
  }
  return current;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return (
        typeof value === 'object' && value !== null && !Array.isArray(value)
      );
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function check(
  raw: Schema,
  value: unknown,
  path: string,
  errors: string[],
): void {
  const schema = deref(raw);
  if (value === null) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (
      !schema.nullable &&
      !types.includes('null') &&
      !schema.enum?.includes(null) &&
      !schema.anyOf &&
      !schema.oneOf &&
      !schema.allOf
    ) {
      errors.push(`${path} is null`);
    }
    if (!schema.anyOf && !schema.oneOf && !schema.allOf) return;
  }
  for (const part of schema.allOf ?? []) check(part, value, path, errors);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const outcomes = alternatives.map(alternative => {
      const found: string[] = [];
      check(alternative, value, path, found);
      return found;
    });
    if (!outcomes.some(found => found.length === 0)) {
      errors.push(...outcomes.sort((a, b) => a.length - b.length)[0]);
    }
    return;
  }
  if (value === null) return;
  const types = (
    Array.isArray(schema.type) ? schema.type : [schema.type]
  ).filter((type): type is string => Boolean(type));
  if (types.length > 0 && !types.some(type => typeMatches(type, value))) {
    errors.push(
      `${path} should be ${types.join('|')}, is ${JSON.stringify(value)?.slice(
        0,
        60,
      )}`,
    );
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    errors.push(
      `${path} should be one of ${JSON.stringify(
        schema.enum,
      )}, is ${JSON.stringify(value)}`,
    );
  }
  if (Array.isArray(value) && schema.items) {
    value
      .slice(0, 5)
      .forEach((item, index) =>
        check(schema.items!, item, `${path}[${index}]`, errors),
      );
  }
  if (
    typeof value === 'object' &&
    !Array.isArray(value) &&
    (schema.properties || schema.required)
  ) {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!(name in record)) errors.push(`${path}.${name} is missing`);
    }
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (name in record && record[name] !== undefined)
        check(property, record[name], `${path}.${name}`, errors);
    }
  }
}

/** What is wrong with a value against a schema component (e.g. `repository`): missing required fields, wrong types. */
export function schemaViolations(component: string, value: unknown): string[] {
  const errors: string[] = [];
  check(
    { $ref: `#/components/schemas/${component}` },
    value,
    component,
    errors,
  );
  return errors;
}

/** What is wrong with a response body against the operation's documented response. */
export function responseViolations(
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const operation = description().paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`no operation ${method} ${path}`);
  const schema =
    operation.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema)
    throw new Error(`no JSON response ${status} for ${method} ${path}`);
  const errors: string[] = [];
  check(schema, body, `${method} ${path} ${status}`, errors);
  return errors;
}
