/**
 * The page's one line to the server: a socket.io connection typed by the shared protocol (server/protocol.ts).
 * Requests resolve with the ack's data or reject with a RequestError carrying the server's code and message;
 * nothing is queued while offline (a request then fails at once and says so, rather than firing minutes later).
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ErrorCode, ServerToClientEvents } from '../../../server/protocol.js';

export type RequestEvent = keyof ClientToServerEvents;
export type PayloadOf<E extends RequestEvent> = Parameters<ClientToServerEvents[E]>[0];
export type ReplyOf<E extends RequestEvent> = Parameters<ClientToServerEvents[E]>[1] extends (reply: Ack<infer T>) => void ? T : never;
export type PushEvent = keyof ServerToClientEvents;

export type RequestErrorCode = ErrorCode | 'TIMEOUT' | 'OFFLINE';

export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly event: string,
  ) {
    super(message);
  }
}

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'connected'; since: number }
  | { kind: 'offline'; reason: string }
  /** The server turned the handshake down (wrong or missing token, other origin): retrying will not help. */
  | { kind: 'refused'; reason: string };

export interface StudioConnectionOptions {
  /** Server origin; the page's own by default. */
  url?: string;
  /** The server's STUDIO_TOKEN, when it needs one. */
  token?: string | null;
}

/** How long each request may take before the page stops waiting (instruments render dozens of notes). */
const TIMEOUT_MS: Partial<Record<RequestEvent, number>> = {
  'note:generate': 60_000,
  'loop:generate': 60_000,
  'instrument:generate': 600_000,
  'jam:start': 30_000,
  'jam:update': 30_000,
};
const DEFAULT_TIMEOUT_MS = 15_000;

type LooseEmitter = { emit(event: string, payload: unknown, ack: (err: Error | null, reply: Ack<unknown>) => void): void };

export class StudioConnection {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private current: ConnectionState = { kind: 'connecting' };
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  constructor(readonly options: StudioConnectionOptions = {}) {
    const url = options.url ?? location.origin;
    this.socket = io(url, {
      auth: options.token ? { token: options.token } : {},
      transports: ['websocket', 'polling'],
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => this.setState({ kind: 'connected', since: Date.now() }));
    this.socket.on('disconnect', (reason) => {
      // 'io server disconnect' means the server closed us on purpose; socket.io will not retry by itself.
      if (reason === 'io server disconnect') this.socket.connect();
      this.setState({ kind: 'offline', reason: describeDisconnect(reason) });
    });
    this.socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const refused = err.data?.code === 'UNAUTHORIZED' || /token|origin|host/i.test(err.message);
      if (refused) {
        this.socket.disconnect();
        this.setState({ kind: 'refused', reason: err.message });
      } else {
        this.setState({ kind: 'offline', reason: `cannot reach the server (${err.message})` });
      }
    });
    this.socket.io.on('reconnect_attempt', () => {
      if (this.current.kind !== 'connected') this.setState({ kind: 'connecting' });
    });
  }

  get state(): ConnectionState {
    return this.current;
  }

  get connected(): boolean {
    return this.current.kind === 'connected';
  }

  /** Calls `listener` now and on every change; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.current);
    return () => this.stateListeners.delete(listener);
  }

  /** Sends a request and waits for its acknowledgement. */
  request<E extends RequestEvent>(event: E, payload: PayloadOf<E>, options: { timeoutMs?: number } = {}): Promise<ReplyOf<E>> {
    if (!this.socket.connected) {
      return Promise.reject(new RequestError('OFFLINE', `not connected to the server (${this.describeState()})`, event));
    }
    const timeoutMs = options.timeoutMs ?? TIMEOUT_MS[event] ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      (this.socket.timeout(timeoutMs) as unknown as LooseEmitter).emit(event, payload, (err, reply) => {
        if (err) return reject(new RequestError('TIMEOUT', `the server did not answer ${event} within ${Math.round(timeoutMs / 1000)} s`, event));
        if (!reply || typeof reply !== 'object' || !('ok' in reply)) return reject(new RequestError('INTERNAL', `malformed reply to ${event}`, event));
        if (reply.ok) resolve(reply.data as ReplyOf<E>);
        else reject(new RequestError(reply.error.code, reply.error.message, event));
      });
    });
  }

  /** Listens to a server push; returns the unsubscribe function. */
  on<E extends PushEvent>(event: E, listener: ServerToClientEvents[E]): () => void {
    const loose = this.socket as unknown as { on(e: string, l: unknown): void; off(e: string, l: unknown): void };
    loose.on(event, listener);
    return () => loose.off(event, listener);
  }

  /** Headers for HTTP requests to the same server (the token, when there is one). */
  authHeaders(): Record<string, string> {
    return this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {};
  }

  /** A GET URL the browser can fetch on its own (downloads, drag-out, <audio>): the token rides in the query. */
  withToken(url: string): string {
    if (!this.options.token) return url;
    const absolute = new URL(url, location.href);
    absolute.searchParams.set('access_token', this.options.token);
    return absolute.href;
  }

  private describeState(): string {
    const state = this.current;
    return state.kind === 'offline' || state.kind === 'refused' ? state.reason : state.kind;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

/** Bytes of a binary field: an ArrayBuffer in browsers, a Uint8Array or Buffer elsewhere. */
export function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('expected binary data from the server');
}

function describeDisconnect(reason: string): string {
  switch (reason) {
    case 'transport close':
    case 'transport error':
      return 'the connection to the server was lost; reconnecting';
    case 'ping timeout':
      return 'the server stopped answering; reconnecting';
    case 'io server disconnect':
      return 'the server closed the connection; reconnecting';
    case 'io client disconnect':
      return 'disconnected';
    default:
      return reason;
  }
}
