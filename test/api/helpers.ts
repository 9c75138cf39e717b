import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { startStudioServer, type StudioServer, type StudioServerOptions } from '../../server/api/app.js';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../server/protocol.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServer extends StudioServer {
  dir: string;
  modelsDir: string;
  stateDir: string;
}

/** The real server on a free port of 127.0.0.1, with its own models, state and data folders under a temp folder. */
export async function startTestServer(options: StudioServerOptions & { dir?: string } = {}): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'studio-api-'));
  const modelsDir = options.modelsDirs?.[0] ?? path.join(dir, 'models');
  const stateDir = options.stateDir ?? path.join(dir, 'state');
  const server = await startStudioServer({
    port: 0,
    modelsDirs: [modelsDir],
    stateDir,
    audioDataDir: path.join(dir, 'audio-data'),
    midiDataDir: path.join(dir, 'midi-data'),
    clientDir: path.join(dir, 'client-dist'),
    ...options,
  });
  return Object.assign(server, { dir, modelsDir, stateDir });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A connected socket.io client (rejects with the server's connect_error message). */
export function connect(url: string, options: { token?: string; extraHeaders?: Record<string, string> } = {}): Promise<ClientSocket> {
  const socket: ClientSocket = connectSocket(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.token ? { token: options.token } : {},
    extraHeaders: options.extraHeaders,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Emits a request event and resolves with its acknowledgement. */
export function request<T = unknown>(socket: ClientSocket, event: string, payload?: unknown, timeoutMs = 30_000): Promise<Ack<T>> {
  return (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<Ack<T>> } }).timeout(timeoutMs).emitWithAck(event, payload);
}

/** The next `event` pushed to `socket` that satisfies `match`. */
export function nextEvent<T>(socket: ClientSocket, event: string, match: (payload: T) => boolean = () => true, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      (socket as unknown as { off(e: string, f: unknown): void }).off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      (socket as unknown as { off(e: string, f: unknown): void }).off(event, listener);
      resolve(payload);
    };
    (socket as unknown as { on(e: string, f: unknown): void }).on(event, listener);
  });
}

export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the test looks at the text
  }
  return { status: res.status, body, headers: res.headers };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  return getJson(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
