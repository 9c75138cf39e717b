/**
 * One error type for everything a user can cause (bad file, bad option, unknown model).
 * `code` is stable and machine-readable (the HTTP/socket layers send it as is);
 * `message` is for people and names the file or option at fault.
 */
export type StudioErrorCode =
  | 'BAD_INPUT'
  | 'BAD_FILE'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'TOO_LARGE'
  | 'CONFLICT'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'INTERNAL';

export class StudioError extends Error {
  readonly code: StudioErrorCode;
  constructor(code: StudioErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StudioError';
    this.code = code;
  }
}

/** Turns anything thrown (libraries throw strings and plain objects too) into a readable message. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}
