import { StudioError, describeThrown } from '../util/errors.js';
import type { ErrorBody } from '../protocol.js';

/** HTTP status for each StudioError code. */
export const HTTP_STATUS: Record<ErrorBody['code'], number> = {
  BAD_INPUT: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  BAD_FILE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/**
 * The error a client sees. A StudioError is the user's to fix and is passed on as is; anything else is our bug:
 * logged with its stack, answered with a generic INTERNAL message (internals are not leaked).
 */
export function toErrorBody(thrown: unknown, log: (message: string) => void = console.error): ErrorBody {
  if (thrown instanceof StudioError) return { code: thrown.code, message: thrown.message };
  log(`studio: internal error: ${thrown instanceof Error && thrown.stack ? thrown.stack : describeThrown(thrown)}`);
  return { code: 'INTERNAL', message: 'internal error (logged on the server)' };
}
