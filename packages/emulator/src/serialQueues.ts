/**
 * Work run one piece at a time per key, in the order it was queued, as a
 * controller's work queue or a host's per-repository ref handling does.
 * A failure is swallowed so that it never stops the work queued after it.
 */
export class SerialQueues<K> {
  private readonly tails = new Map<K, Promise<void>>();

  /** Queues `work` after the key's earlier work; resolves once it has run (or failed). */
  enqueue(key: K, work: () => unknown): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next: Promise<void> = previous
      .then(work)
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        if (this.tails.get(key) === next) this.tails.delete(key);
      });
    this.tails.set(key, next);
    return next;
  }

  /** Whether no work is queued or running. */
  isIdle(): boolean {
    return this.tails.size === 0;
  }

  /** Resolves once no key has work, including work queued while waiting. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
