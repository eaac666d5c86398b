/** How many immutable answers {@link SettledAnswers} keeps (the oldest go first). */
const MAX_SETTLED_ANSWERS = 50_000;

/**
 * A memo of answers to questions about immutable git objects, per
 * repository: each is computed once; failures are not kept.
 */
export class SettledAnswers {
  private readonly answers = new Map<string, Promise<unknown>>();

  /** `work`'s answer for an immutable question, computed once (failures are not kept). */
  once<T>(repository: string, question: string, work: () => Promise<T>): Promise<T> {
    const key = `${repository}\0${question}`;
    const known = this.answers.get(key) as Promise<T> | undefined;
    if (known) return known;
    const answer = work();
    answer.catch(() => this.answers.delete(key));
    this.answers.set(key, answer);
    if (this.answers.size > MAX_SETTLED_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
    return answer;
  }

  /**
   * {@link SettledAnswers.once} for a question about an object that may not be there yet:
   * an object that exists always will, one that does not is asked again.
   */
  onceFound<T>(repository: string, question: string, work: () => Promise<T | undefined>): Promise<T | undefined> {
    return this.once(repository, question, async () => {
      const found = await work();
      if (found === undefined) throw new Error('not there (yet)');
      return found;
    }).catch(() => undefined);
  }

  /** Forgets a repository's answers: one made again under the same name may lack objects the old one had. */
  forget(repository: string): void {
    for (const key of this.answers.keys()) if (key.startsWith(`${repository}\0`)) this.answers.delete(key);
  }
}
