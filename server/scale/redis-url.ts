/**
 * Redis URLs as given on the command line or in REDIS_URL: `redis://[user:password@]host[:port][/db]`, or
 * `rediss://…` for TLS. The password never reaches a log or an error message: everything printed goes through
 * redactRedisUrl (or redactSecrets for text that may quote a URL).
 */
import { StudioError } from '../util/errors.js';

export interface RedisConnectionSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  /** rediss://: TLS with the system's CAs and the host name checked. */
  tls: boolean;
}

const DEFAULT_PORT = 6379;

export function parseRedisUrl(raw: string): RedisConnectionSettings {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new StudioError('BAD_INPUT', `not a Redis URL: ${redactRedisUrl(raw)} (expected redis://[user:password@]host[:port][/db] or rediss://…)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new StudioError('BAD_INPUT', `a Redis URL starts with redis:// or rediss:// (TLS), got ${redactRedisUrl(raw)}`);
  }
  if (!url.hostname) throw new StudioError('BAD_INPUT', `the Redis URL ${redactRedisUrl(raw)} names no host`);
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  const dbPath = url.pathname.replace(/^\//, '');
  const db = dbPath === '' ? 0 : Number(dbPath);
  if (!Number.isInteger(db) || db < 0 || db > 15) throw new StudioError('BAD_INPUT', `the Redis URL ${redactRedisUrl(raw)}: database must be 0-15, got "${dbPath}"`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db,
    tls: url.protocol === 'rediss:',
  };
}

/** The URL with its password replaced by ***, safe to print (unparseable text loses everything before an @). */
export function redactRedisUrl(raw: string): string {
  try {
    const url = new URL(raw.trim());
    if (url.password) url.password = '***';
    return url.toString().replace(/\/$/, '');
  } catch {
    // Not a URL: whatever stands before an @ may be a password.
    return redactSecrets(raw).replace(/^[^@]*@/, '***@');
  }
}

/** Hides `user:password@` in any URL inside free text (error messages from the Redis client included). */
export function redactSecrets(text: string, settings?: Pick<RedisConnectionSettings, 'password'>): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  if (settings?.password) out = out.split(settings.password).join('***');
  return out;
}

/** Connection options for ioredis. `forWorker`: blocking commands wait forever, as BullMQ workers need. */
export function ioredisOptions(settings: RedisConnectionSettings, forWorker: boolean): Record<string, unknown> {
  return {
    host: settings.host,
    port: settings.port,
    username: settings.username,
    password: settings.password,
    db: settings.db,
    tls: settings.tls ? { servername: settings.host } : undefined,
    // BullMQ requires null for workers and queue events; a server's requests fail fast while Redis is away.
    maxRetriesPerRequest: forWorker ? null : 2,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
    connectionName: forWorker ? 'studio-worker' : 'studio-server',
  };
}
