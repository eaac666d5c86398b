/**
 * Each repository's refs and HEAD as last read, until a ref moves. Every ref
 * update goes through {@link GitRepositories} (API writes, and pushes through
 * its smart HTTP), which calls {@link CurrentRefs.moved} then; a busy view
 * otherwise asks git for the same refs a hundred times a second.
 */
export class CurrentRefs {
  private readonly known = new Map<
    string,
    { refs?: Promise<Map<string, string>>; head?: Promise<string>; facts?: Map<string, Promise<unknown>> }
  >();

  /** The refs of a repository, read with `read` unless known; a copy each time (callers may change theirs). */
  async refs(repository: string, read: () => Promise<Map<string, string>>): Promise<Map<string, string>> {
    const known = this.of(repository);
    const refs = (known.refs ??= read());
    refs.catch(() => known.refs === refs && delete known.refs);
    return new Map(await refs);
  }

  /** What HEAD points at, read with `read` unless known. */
  head(repository: string, read: () => Promise<string>): Promise<string> {
    const known = this.of(repository);
    const head = (known.head ??= read());
    head.catch(() => known.head === head && delete known.head);
    return head;
  }

  /** Another fact about a repository that holds until a ref moves (e.g. its size on disk), read with `read` unless known. */
  fact<T>(repository: string, question: string, read: () => Promise<T>): Promise<T> {
    const facts = (this.of(repository).facts ??= new Map());
    let fact = facts.get(question) as Promise<T> | undefined;
    if (!fact) {
      const asked = read();
      asked.catch(() => facts.get(question) === asked && facts.delete(question));
      facts.set(question, (fact = asked));
    }
    return fact;
  }

  /** Forgets what was read of a repository, once its refs or HEAD may have moved. */
  moved(repository: string): void {
    this.known.delete(repository);
  }

  private of(repository: string) {
    let known = this.known.get(repository);
    if (!known) this.known.set(repository, (known = {}));
    return known;
  }
}
