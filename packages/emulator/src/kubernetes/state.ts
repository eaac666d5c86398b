import { randomUUID } from 'node:crypto';
import { apiVersionOf, type ResourceType } from './resources';
import { kubeTime } from './time';
import { validateObjectMeta } from './objectMeta';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  gone,
  invalid,
  notFound,
} from './errors';

/** A Kubernetes object as stored: any JSON with metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: Array<Record<string, unknown>>;
    generateName?: string;
    [key: string]: unknown;
  };
  [key: string]: any;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change to one object, in the order the store made them. */
export interface StoreEvent {
  type: WatchEventType;
  resourceType: ResourceType;
  object: KubeObject;
  resourceVersion: number;
}

type Listener = (event: StoreEvent) => void;

/** How many past events a watch can resume from before it gets 410 Gone. */
const DEFAULT_EVENT_HISTORY = 10_000;

function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** etcd orders keys bytewise, and so do lists. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/**
 * The object store behind the emulated API server: one global, monotonically
 * increasing resourceVersion, optimistic concurrency, and an event history
 * that watches resume from.
 */
export class KubeStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private revision = 1;
  /** Namespace deletions a test holds in Terminating (see holdNamespaceDeletions). */
  private heldNamespaceDeletions?: Array<() => void>;

  constructor(
    private readonly historyLimit = DEFAULT_EVENT_HISTORY,
    /** How long a namespace stays Terminating before its contents and itself go (kube takes seconds). */
    private readonly namespaceTerminationMs = 25,
  ) {}

  /** The current resourceVersion of the whole store, as lists report it. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestResumableVersion(): number {
    return this.history.length ? this.history[0].resourceVersion - 1 : this.revision;
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const key = typeKey(type);
    let bucket = this.objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    return bucket;
  }

  private emit(type: WatchEventType, resourceType: ResourceType, object: KubeObject) {
    const event: StoreEvent = {
      type,
      resourceType,
      object: structuredClone(object),
      resourceVersion: Number(object.metadata.resourceVersion),
    };
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      this.history.splice(0, this.history.length - this.historyLimit);
    }
    for (const listener of this.listeners) {
      listener(event);
    }
  }

  private nextVersion(): string {
    this.revision += 1;
    return String(this.revision);
  }

  /** Reads one object; throws a 404 Status when it does not exist. */
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.bucket(type).get(objectKey(this.scope(type, namespace), name));
    if (!found) {
      throw notFound(type.plural, type.group, name);
    }
    return structuredClone(found);
  }

  /** Reads one object or undefined. */
  find(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(type).get(objectKey(this.scope(type, namespace), name));
    return found ? structuredClone(found) : undefined;
  }

  /** All objects of a type (in one namespace, or all), in etcd key order. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const scoped = type.namespaced ? namespace : undefined;
    return [...this.bucket(type).entries()]
      .filter(([key]) => scoped === undefined || key.startsWith(`${scoped}/`))
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([, obj]) => structuredClone(obj));
  }

  private scope(type: ResourceType, namespace: string | undefined) {
    return type.namespaced ? namespace : undefined;
  }

  /** Creates an object; 409 AlreadyExists, 422 Invalid, 404 when its namespace is missing. */
  create(type: ResourceType, namespace: string | undefined, input: KubeObject): KubeObject {
    const object = structuredClone(input);
    object.metadata = object.metadata ?? ({} as KubeObject['metadata']);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomSuffix()}`;
    }
    if (!object.metadata.name) {
      throw invalid(type.kind, type.group, '', [
        {
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
          reason: 'FieldValueRequired',
        },
      ]);
    }
    const name = object.metadata.name;
    if (type.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      this.requireActiveNamespace(type, namespace!, name);
      object.metadata.namespace = namespace;
    } else {
      delete object.metadata.namespace;
    }
    validateObjectMeta(type, object);
    const bucket = this.bucket(type);
    const key = objectKey(this.scope(type, namespace), name);
    if (bucket.has(key)) {
      throw alreadyExists(type.plural, type.group, name);
    }
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    object.metadata.uid = randomUUID();
    object.metadata.creationTimestamp = kubeTime();
    delete object.metadata.deletionTimestamp;
    if (type.custom || 'spec' in object) {
      object.metadata.generation = 1;
    }
    if (type.plural === 'namespaces') {
      object.metadata.labels = {
        ...object.metadata.labels,
        'kubernetes.io/metadata.name': name,
      };
      object.spec = { finalizers: ['kubernetes'], ...object.spec };
      object.status = { phase: 'Active' };
    } else if (type.statusSubresource && type.custom) {
      // Status of a custom resource with a status subresource is written by controllers only.
      delete object.status;
    }
    object.metadata.resourceVersion = this.nextVersion();
    bucket.set(key, object);
    this.emit('ADDED', type, object);
    return structuredClone(object);
  }

  private requireActiveNamespace(type: ResourceType, namespace: string, name: string) {
    const namespaces = this.objects.get('/namespaces');
    const ns = namespaces?.get(objectKey(undefined, namespace));
    if (!ns) {
      throw notFound('namespaces', '', namespace);
    }
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(
        type.plural,
        type.group,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  /**
   * Replaces an object (PUT). With `subresource: 'status'` only the status
   * changes; otherwise status changes are ignored where status is a subresource.
   */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    input: KubeObject,
    options: { subresource?: 'status'; requireResourceVersion?: boolean } = {},
  ): KubeObject {
    const bucket = this.bucket(type);
    const key = objectKey(this.scope(type, namespace), name);
    const current = bucket.get(key);
    if (!current) {
      throw notFound(type.plural, type.group, name);
    }
    if (input.metadata?.name && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    const sentVersion = input.metadata?.resourceVersion;
    const requireVersion = options.requireResourceVersion ?? !type.unconditionalUpdate;
    if (!sentVersion && requireVersion) {
      throw invalid(type.kind, type.group, name, [
        {
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    if (sentVersion && sentVersion !== current.metadata.resourceVersion) {
      throw conflict(type.plural, type.group, name);
    }
    const next: KubeObject = structuredClone(input);
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    if (options.subresource === 'status') {
      const withStatus = structuredClone(current);
      withStatus.status = next.status;
      return this.store(type, key, current, withStatus);
    }
    // Immutable and server-owned metadata stays as it was.
    next.metadata = {
      ...next.metadata,
      name: current.metadata.name,
      namespace: current.metadata.namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      ...(current.metadata.deletionTimestamp
        ? { deletionTimestamp: current.metadata.deletionTimestamp }
        : {}),
    };
    if (type.plural === 'namespaces') {
      next.metadata.labels = {
        ...next.metadata.labels,
        'kubernetes.io/metadata.name': name,
      };
    }
    if (type.statusSubresource) {
      if (current.status === undefined) delete next.status;
      else next.status = current.status;
    }
    validateObjectMeta(type, next);
    return this.store(type, key, current, next);
  }

  private store(type: ResourceType, key: string, current: KubeObject, next: KubeObject): KubeObject {
    const changed =
      JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: undefined, generation: undefined } }) !==
      JSON.stringify({ ...current, metadata: { ...current.metadata, resourceVersion: undefined, generation: undefined } });
    if (!changed) {
      // The API server skips the write (and the resourceVersion bump) for a no-op update.
      return structuredClone(current);
    }
    if (current.metadata.generation !== undefined) {
      const specChanged = JSON.stringify(current.spec) !== JSON.stringify(next.spec);
      next.metadata.generation = current.metadata.generation + (specChanged ? 1 : 0);
    }
    next.metadata.resourceVersion = this.nextVersion();
    const bucket = this.bucket(type);
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length) {
      bucket.delete(key);
      this.emit('DELETED', type, next);
      return structuredClone(next);
    }
    bucket.set(key, next);
    this.emit('MODIFIED', type, next);
    return structuredClone(next);
  }

  /**
   * Deletes an object. Objects with finalizers (and namespaces) are only
   * marked for deletion; a namespace then removes its contents, then itself.
   * Returns the object as it was at deletion (or marked for deletion).
   */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    preconditions: { resourceVersion?: string; uid?: string } = {},
  ): { object: KubeObject; pending: boolean } {
    const bucket = this.bucket(type);
    const key = objectKey(this.scope(type, namespace), name);
    const current = bucket.get(key);
    if (!current) {
      throw notFound(type.plural, type.group, name);
    }
    if (
      (preconditions.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion) ||
      (preconditions.uid && preconditions.uid !== current.metadata.uid)
    ) {
      throw conflict(type.plural, type.group, name);
    }
    if (type.plural === 'namespaces') {
      if (!current.metadata.deletionTimestamp) {
        const terminating = structuredClone(current);
        terminating.metadata.deletionTimestamp = kubeTime();
        terminating.status = { phase: 'Terminating' };
        terminating.metadata.resourceVersion = this.nextVersion();
        bucket.set(key, terminating);
        this.emit('MODIFIED', type, terminating);
        // The namespace controller empties the namespace in the background.
        const finish = () => this.finishNamespaceDeletion(type, name);
        if (this.heldNamespaceDeletions) this.heldNamespaceDeletions.push(finish);
        else setTimeout(finish, this.namespaceTerminationMs).unref();
        return { object: structuredClone(terminating), pending: true };
      }
      return { object: structuredClone(current), pending: true };
    }
    if ((current.metadata.finalizers ?? []).length) {
      if (!current.metadata.deletionTimestamp) {
        const marked = structuredClone(current);
        marked.metadata.deletionTimestamp = kubeTime();
        marked.metadata.resourceVersion = this.nextVersion();
        bucket.set(key, marked);
        this.emit('MODIFIED', type, marked);
        return { object: structuredClone(marked), pending: true };
      }
      return { object: structuredClone(current), pending: true };
    }
    bucket.delete(key);
    const removed = structuredClone(current);
    removed.metadata.resourceVersion = this.nextVersion();
    this.emit('DELETED', type, removed);
    return { object: removed, pending: false };
  }

  private finishNamespaceDeletion(namespaceType: ResourceType, name: string) {
    for (const [bucketKey, bucket] of this.objects) {
      if (bucketKey === '/namespaces') continue;
      for (const [key, object] of [...bucket.entries()]) {
        if (!key.startsWith(`${name}/`)) continue;
        bucket.delete(key);
        const removed = structuredClone(object);
        removed.metadata.resourceVersion = this.nextVersion();
        const [group, plural] = bucketKey.split('/');
        const type = this.typeOf(group, plural);
        if (type) this.emit('DELETED', type, removed);
      }
    }
    const namespaces = this.bucket(namespaceType);
    const ns = namespaces.get(objectKey(undefined, name));
    if (ns) {
      namespaces.delete(objectKey(undefined, name));
      const removed = structuredClone(ns);
      removed.metadata.resourceVersion = this.nextVersion();
      this.emit('DELETED', namespaceType, removed);
    }
  }

  private readonly knownTypes = new Map<string, ResourceType>();

  /** Registers the types the store may hold, so background deletions can name them. */
  registerTypes(types: ResourceType[]) {
    for (const t of types) this.knownTypes.set(typeKey(t), t);
  }

  private typeOf(group: string, plural: string) {
    return this.knownTypes.get(`${group}/${plural}`);
  }

  /**
   * Subscribes to changes after `fromVersion` (replayed from history first).
   * Throws 410 Gone when that version is older than the history kept.
   */
  watch(fromVersion: number | undefined, listener: Listener): () => void {
    if (fromVersion !== undefined) {
      if (fromVersion < this.oldestResumableVersion) {
        throw gone(`too old resource version: ${fromVersion} (${this.oldestResumableVersion + 1})`);
      }
      for (const event of this.history) {
        if (event.resourceVersion > fromVersion) listener(event);
      }
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes to every future change (for the emulated controllers). */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once `condition` holds: checked now and after every change, so a test waits for what the
   * emulated controllers do without pausing for a guessed time (the test's own timeout bounds the wait).
   */
  waitFor(condition: () => boolean): Promise<void> {
    return new Promise(resolve => {
      if (condition()) {
        resolve();
        return;
      }
      const unsubscribe = this.subscribe(() => {
        if (!condition()) return;
        unsubscribe();
        resolve();
      });
    });
  }

  /** Keeps deleted namespaces Terminating until the returned function finishes them: tests need not race the timer. */
  holdNamespaceDeletions(): () => void {
    const held: Array<() => void> = [];
    this.heldNamespaceDeletions = held;
    return () => {
      if (this.heldNamespaceDeletions === held) this.heldNamespaceDeletions = undefined;
      for (const finish of held.splice(0)) finish();
    };
  }

  /**
   * Moves an object's creationTimestamp into the past, as on a cluster that
   * has run for a while. No client can do this (the API server owns the
   * field); only the demo seed does, for the history it writes.
   */
  backdate(type: ResourceType, namespace: string | undefined, name: string, creationTimestamp: string): KubeObject {
    const key = objectKey(this.scope(type, namespace), name);
    const current = this.get(type, namespace, name);
    const next = structuredClone(current);
    next.metadata.creationTimestamp = creationTimestamp;
    return this.store(type, key, current, next);
  }

  /** Forgets everything (for tests). */
  reset() {
    this.heldNamespaceDeletions = undefined;
    this.objects.clear();
    this.history.length = 0;
    this.revision = 1;
  }
}
