import { inspect } from 'node:util';
import { coreServices, createServiceFactory, type RootLoggerService } from '@backstage/backend-plugin-api';
import { linesOfRootLogger, watchedRootLogger } from './waiting';

/**
 * A root logger that keeps every line the backend logs in `lines`, with its
 * metadata rendered as a person reading the log would see it: the suites
 * that hunt for leaked secrets read them.
 */
export function capturingRootLogger(lines: string[]) {
  // Also kept structured, so that the test backend can wait on a line (see linesOfRootLogger).
  const watched = watchedRootLogger();
  const logger = (fields: object, kept: RootLoggerService): RootLoggerService => {
    const log = (level: 'error' | 'warn' | 'info' | 'debug') => (message: string, meta?: unknown) => {
      lines.push(`${level} ${message} ${inspect({ ...fields, meta }, { depth: 10, breakLength: Infinity })}`);
      kept[level](message, meta as object);
    };
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: meta => logger({ ...fields, ...meta }, kept.child(meta)),
    };
  };
  const factory = createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => logger({}, watched.root) });
  linesOfRootLogger.set(factory, watched);
  return factory;
}
