import { readProjectRecord, type KubernetesGateway, type LubanProjectLookup } from '@luban-backstage/plugin-luban-node';

/** Records change only at onboarding: a short memory spares the cluster one read per request. */
const DEFAULT_TTL_MS = 10_000;

/**
 * The project records luban wrote at onboarding (on each `ci-<project>`
 * Namespace of the default cluster), read through one small cache: the one
 * place the backend looks up who owns a project.
 */
export class ProjectRecords {
  private readonly cache = new Map<string, { expiresAt: number; lookup: Promise<LubanProjectLookup> }>();

  constructor(
    private readonly options: {
      /** The default cluster's gateway, where records live. */
      gateway: () => KubernetesGateway;
      ttlMs?: number;
    },
  ) {}

  /** The record of a project, at most `ttlMs` old; a failed read is not remembered. */
  lookup(project: string): Promise<LubanProjectLookup> {
    const now = Date.now();
    const cached = this.cache.get(project);
    if (cached && cached.expiresAt > now) return cached.lookup;
    const lookup = readProjectRecord(this.options.gateway(), project);
    const entry = { expiresAt: now + (this.options.ttlMs ?? DEFAULT_TTL_MS), lookup };
    this.cache.set(project, entry);
    lookup.catch(() => {
      if (this.cache.get(project) === entry) this.cache.delete(project);
    });
    // Expired entries of projects nobody asks for again go on the next sweep.
    if (this.cache.size > 1000) {
      for (const [key, value] of this.cache) if (value.expiresAt <= now) this.cache.delete(key);
    }
    return lookup;
  }
}
