/**
 * Who may talk to the server. Loopback binding needs nothing; any other address needs a token (STUDIO_TOKEN), which
 * every API request then carries (HTTP `Authorization: Bearer`, socket handshake `auth.token`). Browsers are held to
 * their origin: a page from another origin cannot open a socket or post to the API, and without a token the Host
 * header must name the loopback interface, which stops DNS-rebinding pages from reaching a local server.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { StudioError } from '../util/errors.js';

export interface AccessOptions {
  /** Required on every API request and socket when set. */
  token: string | null;
  /** Extra browser origins allowed besides the server's own, e.g. a client dev server. */
  allowedOrigins: string[];
}

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(bare) || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '::ffff:127.0.0.1';
  return false;
}

/** Throws when the server would listen beyond this machine without a token. */
export function assertSafeBinding(host: string, token: string | null): void {
  if (isLoopbackHost(host)) return;
  if (!token) {
    throw new StudioError('UNAUTHORIZED', `refusing to listen on ${host} without a token: set STUDIO_TOKEN (clients then send "Authorization: Bearer <token>"), or bind to 127.0.0.1`);
  }
  if (token.length < 16) throw new StudioError('BAD_INPUT', 'STUDIO_TOKEN must be at least 16 characters when listening beyond loopback');
}

export class AccessPolicy {
  private readonly tokenDigest: Buffer | null;
  private readonly allowedOrigins: Set<string>;

  constructor(readonly options: AccessOptions) {
    this.tokenDigest = options.token ? digest(options.token) : null;
    this.allowedOrigins = new Set(options.allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, '')));
  }

  get requiresToken(): boolean {
    return this.tokenDigest !== null;
  }

  /** Compares in constant time (on digests, so lengths leak nothing either). */
  tokenMatches(candidate: unknown): boolean {
    if (!this.tokenDigest) return true;
    if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 1024) return false;
    return timingSafeEqual(this.tokenDigest, digest(candidate));
  }

  /** The token of an HTTP request: `Authorization: Bearer T`, or `access_token=T` in the query of a GET. */
  static requestToken(req: IncomingMessage): string | null {
    const header = req.headers.authorization;
    if (typeof header === 'string') {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      return match ? match[1]! : null;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('access_token');
      if (query) return query;
    }
    return null;
  }

  /** Null when the request may go on; otherwise why not (for a 401/403). */
  checkHttp(req: IncomingMessage, needsToken: boolean): StudioError | null {
    const hostProblem = this.checkHost(req);
    if (hostProblem) return hostProblem;
    if (!this.originAllowed(req)) return new StudioError('UNAUTHORIZED', `origin ${String(req.headers.origin).slice(0, 100)} may not use this server`);
    if (needsToken && !this.tokenMatches(AccessPolicy.requestToken(req))) {
      return new StudioError('UNAUTHORIZED', 'missing or wrong token: send "Authorization: Bearer <STUDIO_TOKEN>"');
    }
    return null;
  }

  /** Socket.io handshake: same host and origin rules; the token comes in `auth.token` (or a Bearer header). */
  checkSocket(req: IncomingMessage, auth: Record<string, unknown> | undefined): StudioError | null {
    const base = this.checkHttp(req, false);
    if (base) return base;
    const token = typeof auth?.token === 'string' ? auth.token : AccessPolicy.requestToken(req);
    if (!this.tokenMatches(token)) return new StudioError('UNAUTHORIZED', 'missing or wrong token: connect with auth: { token }');
    return null;
  }

  /** Without a token, only loopback host names are served (DNS rebinding defence). */
  private checkHost(req: IncomingMessage): StudioError | null {
    if (this.requiresToken) return null;
    const host = req.headers.host;
    if (typeof host !== 'string') return null;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
    if (isLoopbackHost(name)) return null;
    return new StudioError('UNAUTHORIZED', `host "${host.slice(0, 100)}" is not served: this server answers loopback names only (set STUDIO_TOKEN to serve others)`);
  }

  /**
   * CORS for the extra allowed origins (e.g. a client dev server): their pages may call the API and read the
   * download headers. The server's own pages need none. Returns true when the request was a preflight, answered.
   */
  applyCors(req: IncomingMessage, res: import('node:http').ServerResponse): boolean {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin.toLowerCase().replace(/\/$/, '') : null;
    if (!origin || !this.allowedOrigins.has(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin!);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition, X-Studio-Seed, X-Studio-Model, Retry-After');
    if (req.method !== 'OPTIONS') return false;
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept');
    res.setHeader('Access-Control-Max-Age', '600');
    res.statusCode = 204;
    res.end();
    return true;
  }

  /** The extra allowed origins, for socket.io's own CORS handling of its polling transport. */
  get extraOrigins(): string[] {
    return [...this.allowedOrigins];
  }

  /** No Origin header (scripts, curl, Node clients) passes; a browser's must be this server or an allowed one. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (typeof origin !== 'string' || origin === 'null') return false;
    const normal = origin.toLowerCase().replace(/\/$/, '');
    if (this.allowedOrigins.has(normal)) return true;
    try {
      return new URL(normal).host === String(req.headers.host ?? '').toLowerCase();
    } catch {
      return false;
    }
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
