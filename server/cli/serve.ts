import type { Command } from 'commander';
import * as path from 'node:path';
import { defaultModelsDir } from '../checkpoints/resolve.js';
import { StudioError } from '../util/errors.js';
import { servedInferenceWorkers } from '../registry/inference-pool.js';

interface ServeOptions {
  host?: string;
  port?: string;
  models: string[];
  state?: string;
  allowOrigin: string[];
  rate?: string;
  inferenceWorkers?: string;
  redis?: string;
  exports?: string;
}

/** `studio serve` (= `npm start`): the HTTP + socket.io server on 127.0.0.1:8080 unless told otherwise. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the studio server (web client, HTTP API, socket.io) over the models in models/')
    .option('--host <address>', 'address to listen on (env HOST; default 127.0.0.1). Beyond loopback, STUDIO_TOKEN is required')
    .option('--port <n>', 'port to listen on (env PORT; default 8080; 0 = any free port)')
    .option('--models <dir>', 'another folder of model folders (repeatable); models/ is always searched first', collect, [])
    .option('--state <dir>', 'where job state and logs are kept (default .studio/jobs)')
    .option('--allow-origin <origin>', 'a browser origin besides the server itself that may use the API (repeatable)', collect, [])
    .option('--rate <n>', 'requests per second allowed per client (HTTP: per address; socket: per connection)')
    .option('--inference-workers <n>', 'threads generating notes and loops, each with its own copy of the models (default: 2 on 2+ cores, else 1)')
    .option('--exports <dir>', 'where render jobs write instruments and loop batches (default exports/)')
    .option('--redis <url>', 'run jobs on `studio worker` processes through BullMQ queues on this Redis (env REDIS_URL; redis://[user:password@]host:port[/db], rediss:// for TLS) and share socket.io rooms with other instances')
    .action(async (opts: ServeOptions) => {
      // An empty HOST or PORT counts as unset.
      const host = opts.host ?? (process.env.HOST || '127.0.0.1');
      const port = parsePort(opts.port ?? (process.env.PORT || '8080'));
      // Loaded here so other commands do not pay for express and socket.io.
      const { startStudioServer } = await import('../api/app.js');
      const redisUrl = opts.redis ?? (process.env.REDIS_URL || undefined);
      const server = await startStudioServer({
        host,
        port,
        token: process.env.STUDIO_TOKEN || null,
        modelsDirs: [defaultModelsDir(), ...opts.models.map((d) => path.resolve(d))],
        stateDir: opts.state ? path.resolve(opts.state) : undefined,
        allowedOrigins: opts.allowOrigin,
        limits: opts.rate === undefined ? undefined : rateLimits(opts.rate),
        inference: { workers: opts.inferenceWorkers === undefined ? servedInferenceWorkers() : parseCount('--inference-workers', opts.inferenceWorkers) },
        exportsDir: opts.exports ? path.resolve(opts.exports) : undefined,
        redis: redisUrl ? { url: redisUrl } : undefined,
      });
      console.log(`studio: serving on ${server.url}`);
      if (redisUrl) {
        const { redactRedisUrl } = await import('../scale/redis-url.js');
        console.log(`studio: jobs go to BullMQ queues on ${redactRedisUrl(redisUrl)}; start workers with \`studio worker --redis URL\``);
      }
      const models = server.registry.list();
      console.log(models.length ? `studio: models: ${models.map((m) => `${m.id} (${m.kind}, ${m.preset}, step ${m.step})`).join(', ')}` : 'studio: no models yet (train one with `studio train notes|loops`)');
      for (const problem of server.registry.problems) console.log(`studio: model problem: ${problem.path}: ${problem.message}`);
      void server.preloaded.then(() => {
        for (const [id, message] of server.loadErrors) console.log(`studio: model ${id} failed to load: ${message}`);
        if (server.pool.backend) console.log(`studio: inference backend: ${server.pool.backend}`);
      });
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          console.log(`studio: ${signal}: stopping (${redisUrl ? 'jobs go on running on the workers' : 'running jobs checkpoint and are marked interrupted'})`);
          void server.close().then(resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** One figure for both limits, with a burst of three seconds' worth. */
function rateLimits(raw: string): { httpRequestsPerSecond: number; httpBurst: number; socketRequestsPerSecond: number; socketBurst: number } {
  const rate = Number(raw);
  if (!(rate > 0) || !Number.isFinite(rate)) throw new StudioError('BAD_INPUT', `--rate must be a positive number, got "${raw}"`);
  return { httpRequestsPerSecond: rate, httpBurst: rate * 3, socketRequestsPerSecond: rate, socketBurst: rate * 3 };
}

function parseCount(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new StudioError('BAD_INPUT', `${flag} must be an integer 1-16, got "${raw}"`);
  return n;
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StudioError('BAD_INPUT', `port must be an integer 0-65535, got "${raw}"`);
  return port;
}
