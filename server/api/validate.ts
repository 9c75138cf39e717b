import type { z } from 'zod';
import { StudioError } from '../util/errors.js';

/**
 * Parses untrusted input with a protocol schema; a failure is a BAD_INPUT StudioError that says which fields are
 * wrong and why (at most five issues, so a huge malformed payload yields a short message).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)';
    return `${where.slice(0, 60)}: ${issue.message.slice(0, 200)}`;
  });
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  throw new StudioError('BAD_INPUT', `invalid ${what}: ${issues.join('; ')}${more}`);
}
