import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** Environment and build step names: lowercase DNS-label-like, never a path. */
export const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A request body checked against its schema; the error names the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`Invalid request body: ${issue.path.join('.') || 'body'} ${issue.message}`);
  }
  return parsed.data;
}

/** The body of a sync or a build cancel: nothing but whether it is a dry run. */
export const dryRunBody = z.object({ dryRun: z.boolean().optional() }).strict();
