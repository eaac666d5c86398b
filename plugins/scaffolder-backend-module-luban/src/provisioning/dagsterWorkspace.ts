import { isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';

/** A code location's entry in a Dagster workspace. */
export interface CodeLocation {
  name: string;
  host: string;
  port: number;
}

/**
 * Adds (or corrects) a code location's `grpc_server` entry in a workspace
 * file, keeping comments and every other entry; the same text when the
 * entry is already as asked.
 */
export function withCodeLocation(workspace: string, location: CodeLocation, path: string): string {
  const doc = parseDocument(workspace);
  if (doc.errors.length) throw new Error(`${path} is not valid YAML: ${doc.errors[0].message}`);
  if (doc.contents === null) doc.contents = doc.createNode({}) as any;
  if (!isMap(doc.contents)) throw new Error(`${path} is not a Dagster workspace: its top level is not a mapping`);
  let entries = doc.get('load_from');
  if (entries === undefined || entries === null) {
    entries = new YAMLSeq();
    doc.set('load_from', entries);
  }
  if (!isSeq(entries)) throw new Error(`${path} is not a Dagster workspace: load_from is not a list`);
  const wanted = { host: location.host, port: location.port, location_name: location.name };
  const index = entries.items.findIndex(item => {
    const json = isMap(item) ? (item.toJSON() as { grpc_server?: { location_name?: string } }) : undefined;
    return json?.grpc_server?.location_name === location.name;
  });
  if (index >= 0) {
    const current = (entries.items[index] as any).toJSON().grpc_server;
    if (current.host === wanted.host && current.port === wanted.port) return workspace;
    entries.items[index] = doc.createNode({ grpc_server: { ...current, ...wanted } }) as any;
  } else {
    // A flow-style `[]` would keep the new entry on one line.
    entries.flow = false;
    entries.items.push(doc.createNode({ grpc_server: wanted }) as any);
  }
  return doc.toString();
}
