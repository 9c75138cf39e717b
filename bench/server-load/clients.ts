/**
 * Closed-loop load: `clients` socket.io connections, each sending its next request as soon as the previous one is
 * answered, for `seconds`. Latency is measured per request from emit to acknowledgement.
 */
import { io, type Socket } from 'socket.io-client';

export interface LoadOptions {
  url: string;
  clients: number;
  seconds: number;
  /** The next request of client `client` (its `n`-th). */
  next: (client: number, n: number) => { event: string; payload: unknown };
}

export interface LoadResult {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  /** A few error messages, for the report. */
  errorSamples: string[];
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const sockets = await Promise.all(Array.from({ length: options.clients }, () => connect(options.url)));
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    sockets.map(async (socket, client) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const { event, payload } = options.next(client, n);
        const t0 = performance.now();
        let reply: { ok: boolean; error?: { code: string; message: string } };
        try {
          reply = await socket.timeout(60_000).emitWithAck(event, payload);
        } catch (err) {
          reply = { ok: false, error: { code: 'TIMEOUT', message: String(err) } };
        }
        latencies.push(performance.now() - t0);
        if (!reply.ok) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${reply.error?.code}: ${reply.error?.message}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const s of sockets) s.close();
  latencies.sort((a, b) => a - b);
  return {
    clients: options.clients,
    seconds: round(elapsed),
    requests: latencies.length,
    errors,
    errorSamples,
    requestsPerSecond: round(latencies.length / elapsed),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
      mean: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    },
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function connect(url: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}
