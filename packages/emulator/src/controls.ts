/** The emulated systems, as named in request logs and fault rules. */
export type EmulatedSystem = 'kubernetes' | 'harbor' | 'github' | 'azure';

/** One request the emulator answered. */
export interface RequestRecord {
  system: EmulatedSystem;
  method: string;
  /** Path with query string. */
  path: string;
  status: number;
  at: string;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The User-Agent of the emulated in-cluster controllers' own calls to the
 * emulated git hosts (kpack and Argo CD listing refs, as go-git does, to let
 * the host's rules decide whether their credentials read a repository).
 */
export const EMULATED_CONTROLLER_USER_AGENT = 'go-git/5 (luban emulator: kpack, Argo CD)';

/**
 * A log of every request a client of the emulator made, for tests and
 * benchmarks. The emulated controllers' own calls to the emulated hosts
 * (see {@link EMULATED_CONTROLLER_USER_AGENT}) are not a client's: they
 * happen on the controllers' cadence, so a test that counts what the client
 * did must not count them.
 */
export class RequestLog {
  private readonly records: RequestRecord[] = [];
  private readonly waiters = new Set<() => void>();

  record(system: EmulatedSystem, method: string, path: string, status: number, userAgent?: string) {
    if (userAgent === EMULATED_CONTROLLER_USER_AGENT) return;
    this.records.push({ system, method, path, status, at: new Date().toISOString() });
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Resolves once `condition` holds: checked now and after every answered request, so a test waits
   * for a client to have called (e.g. retried) without pausing for a guessed time.
   */
  waitFor(condition: () => boolean): Promise<void> {
    return new Promise(resolve => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The requests answered so far, optionally only of one system. */
  entries(system?: EmulatedSystem): RequestRecord[] {
    return this.records.filter(r => !system || r.system === system);
  }

  /** The requests that could have changed something (POST, PUT, PATCH, DELETE). */
  mutating(system?: EmulatedSystem): RequestRecord[] {
    return this.entries(system).filter(r => MUTATING.has(r.method));
  }

  clear() {
    this.records.length = 0;
  }
}

/** A rule that makes the Nth matching request fail. */
export interface FaultRule {
  system?: EmulatedSystem;
  /** HTTP method to match, e.g. `POST`; any when omitted. */
  method?: string;
  /** Matches the request path (without query): a substring or a regular expression. */
  path: string | RegExp;
  /** Which matching request fails, counting from 1 (default 1). */
  nth?: number;
  /**
   * The status to answer with (e.g. 500, 503, 409); `timeout` never answers;
   * `reset` drops the connection without an answer and without applying the
   * request, as a host that went down does (to the client, what a timeout
   * before the write looks like, without waiting for one); `lost` applies the
   * request, then drops the connection before the answer leaves, as a proxy
   * that timed out after the upstream committed does.
   */
  status: number | 'timeout' | 'reset' | 'lost';
  /** How many consecutive matching requests fail from the nth on (default 1; `Infinity` until the rule is removed). */
  times?: number;
}

interface ActiveRule extends FaultRule {
  seen: number;
  failed: number;
}

/** Injected latency and failures, shared by every emulated system. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  /** Fixed delay added to every request, in milliseconds. */
  latencyMs = 0;

  /** Adds a rule; returns a function that removes it. */
  fail(rule: FaultRule): () => void {
    const active: ActiveRule = { ...rule, seen: 0, failed: 0 };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter(r => r !== active);
    };
  }

  /** Decides the fault (if any) for a request, counting it against every matching rule. */
  check(system: EmulatedSystem, method: string, path: string): FaultRule['status'] | undefined {
    let outcome: FaultRule['status'] | undefined;
    for (const rule of this.rules) {
      if (rule.system && rule.system !== system) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      const matched = typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
      if (!matched) continue;
      rule.seen += 1;
      const nth = rule.nth ?? 1;
      if (outcome === undefined && rule.seen >= nth && rule.failed < (rule.times ?? 1)) {
        rule.failed += 1;
        outcome = rule.status;
      }
    }
    return outcome;
  }

  reset() {
    this.rules = [];
    this.latencyMs = 0;
  }
}
