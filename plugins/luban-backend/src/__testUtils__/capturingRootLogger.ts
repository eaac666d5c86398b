import { inspect } from 'node:util';
import { coreServices, createServiceFactory, type RootLoggerService } from '@backstage/backend-plugin-api';

/**
 * A root logger that keeps every line the backend logs in `lines`, with its
 * metadata rendered as a person reading the log would see it: the suites
 * that hunt for leaked secrets read them.
 */
export function capturingRootLogger(lines: string[]) {
  const logger = (fields: object): RootLoggerService => {
    const log = (level: string) => (message: string, meta?: unknown) => {
      lines.push(`${level} ${message} ${inspect({ ...fields, meta }, { depth: 10, breakLength: Infinity })}`);
    };
    return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), child: meta => logger({ ...fields, ...meta }) };
  };
  return createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => logger({}) });
}
