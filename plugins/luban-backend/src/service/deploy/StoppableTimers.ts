/**
 * The timers of a background loop (auto-deploy, release automation): none
 * fires after {@link StoppableTimers.stop}, so a backend shutting down (or a
 * test's) runs no late pass against a platform that is gone, and none keeps
 * the process alive.
 */
export class StoppableTimers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private isStopped = false;

  /** Whether {@link StoppableTimers.stop} was called: a loop ends its pass early then. */
  get stopped(): boolean {
    return this.isStopped;
  }

  /** Runs `work` after `ms`, unless stopped meanwhile. */
  later(work: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (!this.isStopped) work();
    }, ms).unref();
    this.pending.add(timer);
  }

  stop(): void {
    this.isStopped = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
