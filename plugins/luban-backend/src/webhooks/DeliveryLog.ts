import type { DatabaseService } from '@backstage/backend-plugin-api';

/** knex, as Backstage's database service hands it out (luban does not depend on knex itself). */
type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

/** The table of what luban has already acted on, in the luban plugin's database. */
const TABLE = 'luban_webhook_deliveries';
/** Longer than any redelivery a git host offers (GitHub keeps deliveries 3 days, Azure DevOps retries for hours). */
const DEFAULT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Pruning is a delete over the whole table: at most this often. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Creates the table unless it exists; a replica that loses the race to create it finds it made. */
async function ensureTable(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable(TABLE)) return;
  try {
    await knex.schema.createTable(TABLE, table => {
      table.string('key', 255).primary().notNullable().comment('A delivery id or a nudged commit, with its kind as a prefix');
      table.bigInteger('received_at').notNullable().index().comment('Milliseconds since the epoch');
    });
  } catch (error) {
    if (!(await knex.schema.hasTable(TABLE))) throw error;
  }
}

/**
 * What the webhook handler has already acted on — delivery ids and the
 * commits it asked kpack to build — kept in the database, so that a replay
 * is refused after a restart and by every replica (SQLite and PostgreSQL
 * alike). Entries older than `maxAgeMs` are pruned.
 */
export class DeliveryLog {
  private lastPruned = 0;

  private constructor(
    private readonly knex: Knex,
    private readonly maxAgeMs: number,
  ) {}

  static async create(database: DatabaseService, options: { maxAgeMs?: number } = {}): Promise<DeliveryLog> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) await ensureTable(knex);
    return new DeliveryLog(knex, options.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
  }

  /**
   * Records `key` and says whether this is its first time: false for a
   * replay. Atomic, so two replicas given the same delivery act on it once.
   */
  async firstTime(key: string): Promise<boolean> {
    const now = Date.now();
    await this.prune(now);
    const inserted = await this.knex(TABLE).insert({ key, received_at: now }).onConflict('key').ignore().returning('key');
    return inserted.length > 0;
  }

  /** Forgets `key`, so that it may be acted on again (what it stood for did not happen after all). */
  async forget(key: string): Promise<void> {
    await this.knex(TABLE).where({ key }).delete();
  }

  private async prune(now: number): Promise<void> {
    if (now - this.lastPruned < PRUNE_EVERY_MS) return;
    this.lastPruned = now;
    await this.knex(TABLE).where('received_at', '<', now - this.maxAgeMs).delete();
  }
}
