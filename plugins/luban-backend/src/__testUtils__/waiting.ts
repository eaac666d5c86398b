import { inspect } from 'node:util';
import { coreServices, createServiceFactory, type RootLoggerService } from '@backstage/backend-plugin-api';
import type { RunningEmulator } from '@luban-backstage/emulator';

/** One line the backend logged, with its metadata as given. */
export interface LoggedLine {
  level: string;
  message: string;
  meta: Record<string, unknown>;
}

/** The lines each root logger factory made here keeps, so that the test backend can wait on whichever a suite installed. */
export const linesOfRootLogger = new WeakMap<object, { waitFor(condition: (logged: LoggedLine[]) => boolean): Promise<void> }>();

/**
 * A root logger that keeps what the backend logs and lets a test wait for a
 * line: the backend's own report that it finished something (an operator
 * reads the same line), instead of a pause of a guessed length.
 */
export function watchedRootLogger() {
  const lines: LoggedLine[] = [];
  const waiters = new Set<() => void>();
  const logger = (fields: object): RootLoggerService => {
    const log = (level: string) => (message: string, meta?: unknown) => {
      lines.push({ level, message, meta: { ...fields, ...(typeof meta === 'object' && meta !== null ? meta : {}) } });
      for (const waiter of [...waiters]) waiter();
    };
    return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), child: meta => logger({ ...fields, ...meta }) };
  };
  const factory = createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => logger({}) });
  const watched = {
    lines,
    /** Every line rendered as a person reading the log would see it (for the suites that hunt for leaked secrets). */
    rendered: () => lines.map(l => `${l.level} ${l.message} ${inspect(l.meta, { depth: 10, breakLength: Infinity })}`),
    /** The lines with this message. */
    withMessage: (message: string) => lines.filter(l => l.message === message),
    /** Resolves once `condition` holds over the lines logged so far: checked now and at every new line (the jest timeout bounds the wait). */
    waitFor(condition: (logged: LoggedLine[]) => boolean): Promise<void> {
      return new Promise(resolve => {
        const check = () => {
          if (!condition(lines)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    factory,
    /** The root logger itself, for a factory that also logs elsewhere. */
    root: logger({}),
  };
  linesOfRootLogger.set(factory, watched);
  return watched;
}

/**
 * Resolves with `read()`'s first defined value, read now and after every
 * update of a ref in the emulator's git repositories (the jest timeout bounds
 * the wait).
 */
export async function untilGit<T>(emulator: RunningEmulator, read: () => Promise<T | undefined>): Promise<T> {
  // Counts updates, so that one made while a read is running is not missed.
  let updates = 0;
  const waiters = new Set<() => void>();
  const stop = emulator.git.onRefUpdate(() => {
    updates++;
    for (const wake of waiters) wake();
  });
  const updateAfter = (seen: number) =>
    new Promise<void>(resolve => {
      if (updates > seen) resolve();
      else waiters.add(resolve);
    });
  try {
    for (;;) {
      const seen = updates;
      const value = await read();
      if (value !== undefined) return value;
      await updateAfter(seen);
      waiters.clear();
    }
  } finally {
    stop();
  }
}

/**
 * Resolves with `read()`'s first defined value, read again after a short
 * pause: only for what luban serves from its own caches, where no event tells
 * a test that they changed. The jest timeout, not a deadline here, bounds it.
 */
export async function untilServed<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve => setImmediate(resolve));
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}
