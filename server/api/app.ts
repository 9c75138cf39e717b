/**
 * The studio server: one HTTP server carrying the express app (API under /api, the web client at /) and socket.io,
 * over the model registry, the inference worker and the job queue. `startStudioServer` is what `studio serve` and
 * the tests call; port 0 picks a free port.
 */
import express from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Server as SocketServer } from 'socket.io';
import { defaultModelsDir } from '../checkpoints/resolve.js';
import { JobManager, type JobManagerOptions } from '../jobs/job-manager.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { JobDirectories } from '../jobs/job-commands.js';
import type { RetryPolicy } from '../scale/queues.js';
import { ModelRegistry } from '../registry/registry.js';
import { InferencePool, type InferencePoolOptions } from '../registry/inference-pool.js';
import { projectRoot } from '../util/version.js';
import { StudioError } from '../util/errors.js';
import { AccessPolicy, assertSafeBinding } from './access.js';
import { GenerationService } from './generation.js';
import { apiErrorHandler, apiRouter } from './http-routes.js';
import { RateLimiter } from './rate-limit.js';
import { ServerStats } from './server-stats.js';
import { registerSocketHandlers, jobRoom, type StudioIo } from './socket-handlers.js';
import { statusPage } from './status-page.js';
import { FileShelf, type FileShelfOptions } from './file-shelf.js';
import { JobBroadcast } from './job-broadcast.js';
import type { JamSessionOptions } from './jam-session.js';

export interface ServerLimits {
  jsonBodyBytes: number;
  /** Loop requests may carry a base64 MIDI file. */
  loopBodyBytes: number;
  /** Largest socket.io message (a binary MIDI condition). */
  socketMessageBytes: number;
  httpRequestsPerSecond: number;
  httpBurst: number;
  socketRequestsPerSecond: number;
  socketBurst: number;
  maxInFlightPerSocket: number;
  maxSocketsPerIp: number;
}

export const serverLimitDefaults: ServerLimits = {
  jsonBodyBytes: 64 * 1024,
  loopBodyBytes: 2 * 1024 * 1024,
  socketMessageBytes: 2 * 1024 * 1024,
  httpRequestsPerSecond: 20,
  httpBurst: 60,
  socketRequestsPerSecond: 30,
  socketBurst: 90,
  maxInFlightPerSocket: 16,
  maxSocketsPerIp: 64,
};

export interface StudioServerOptions {
  host?: string;
  port?: number;
  /** Folders of model folders; the first is where training jobs write. Default: models/ (STUDIO_MODELS_DIR). */
  modelsDirs?: string[];
  /** Job state and logs. Default: .studio/jobs under the project. */
  stateDir?: string;
  /** Dataset roots for jobs. Defaults: audio-data/ and midi-data/ under the project. */
  audioDataDir?: string;
  midiDataDir?: string;
  /** Where render jobs write export folders. Default: exports/ under the project. */
  exportsDir?: string;
  /**
   * Redis mode: jobs go to BullMQ queues that `studio worker` processes run, and socket.io rooms are shared with
   * the other instances (redis-adapter). Without it, jobs run as children of this server.
   */
  redis?: { url: string; prefix?: string; retry?: Partial<RetryPolicy> };
  /** Required from every API client when set; required to bind beyond loopback. */
  token?: string | null;
  allowedOrigins?: string[];
  /** The built web client; a plain status page is served when it has no index.html. */
  clientDir?: string;
  limits?: Partial<ServerLimits>;
  jobs?: Partial<Pick<JobManagerOptions, 'concurrency' | 'launcher' | 'cancelGraceMs' | 'niceness' | 'env'>>;
  inference?: InferencePoolOptions;
  jam?: JamSessionOptions;
  /** Load every model into the inference worker at start (default true). */
  preload?: boolean;
  fileShelf?: FileShelfOptions;
  /** How often the models folders are read again, so models trained or copied in meanwhile are served (0: never). */
  rescanEveryMs?: number;
}

export interface StudioServer {
  url: string;
  host: string;
  port: number;
  registry: ModelRegistry;
  jobs: JobRunner;
  pool: InferencePool;
  stats: ServerStats;
  http: HttpServer;
  io: StudioIo;
  /** Models that failed to load at start (preload), by id. */
  loadErrors: Map<string, string>;
  /** Resolves when preloading has finished (successfully or not). */
  preloaded: Promise<void>;
  close(): Promise<void>;
}

export async function startStudioServer(options: StudioServerOptions = {}): Promise<StudioServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? null;
  assertSafeBinding(host, token);
  const root = projectRoot();
  const limits = { ...serverLimitDefaults, ...options.limits };
  const modelsDirs = options.modelsDirs?.length ? options.modelsDirs : [defaultModelsDir()];

  const registry = new ModelRegistry({ dirs: modelsDirs });
  await registry.scan();
  // A model retrained by the CLI gets a new updatedAt: the next request then loads the new weights.
  const rescanEveryMs = options.rescanEveryMs ?? 5000;
  const rescan = rescanEveryMs > 0 ? setInterval(() => void registry.scan().catch(() => undefined), rescanEveryMs) : null;
  rescan?.unref();
  const pool = new InferencePool(options.inference);
  const directories: Required<JobDirectories> = {
    modelsDir: path.resolve(modelsDirs[0]!),
    audioDataDir: options.audioDataDir ?? path.join(root, 'audio-data'),
    midiDataDir: options.midiDataDir ?? path.join(root, 'midi-data'),
    exportsDir: options.exportsDir ?? path.join(root, 'exports'),
  };
  // Redis mode is loaded only when asked for: a one-machine studio never loads bullmq or ioredis.
  const jobs: JobRunner = options.redis
    ? await (await import('../scale/redis-job-runner.js')).RedisJobRunner.open({ redisUrl: options.redis.url, prefix: options.redis.prefix, retry: options.redis.retry, directories })
    : await JobManager.open({ stateDir: options.stateDir ?? path.join(root, '.studio', 'jobs'), directories, ...options.jobs });
  const generation = new GenerationService(registry, pool);
  const stats = new ServerStats(pool);
  const access = new AccessPolicy({ token, allowedOrigins: options.allowedOrigins ?? [] });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // A preflight from an allowed origin is answered here, before the token check (browsers send it without one).
    if (!access.applyCors(req, res)) next();
  });
  app.use('/api', (req, _res, next) => next(access.checkHttp(req, true) ?? undefined), apiRouter({
    generation, jobs, stats,
    exportsDir: directories.exportsDir,
    shelf: new FileShelf(options.fileShelf),
    limiter: new RateLimiter({ perSecond: limits.httpRequestsPerSecond, burst: limits.httpBurst }),
    jsonBodyBytes: limits.jsonBodyBytes,
    loopBodyBytes: limits.loopBodyBytes,
  }));
  app.use('/api', apiErrorHandler);
  app.use((req, _res, next) => next(access.checkHttp(req, false) ?? undefined));
  const clientDir = options.clientDir ?? path.join(root, 'client', 'dist');
  if (existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { dotfiles: 'deny', index: 'index.html' }));
  } else {
    app.get('/', async (_req, res) => {
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.type('html').send(statusPage(registry, await jobs.list(), pool.backend, access.requiresToken));
    });
  }
  app.use(apiErrorHandler);

  const http = createServer(app);
  const io: StudioIo = new SocketServer(http, {
    maxHttpBufferSize: limits.socketMessageBytes,
    serveClient: false,
    cors: access.extraOrigins.length ? { origin: access.extraOrigins } : undefined,
    allowRequest: (req, callback) => {
      const problem = access.checkHttp(req, false);
      callback(problem ? problem.message : null, problem === null);
    },
  });
  const perIp = new Map<string, number>();
  io.use((socket, next) => {
    const problem = access.checkSocket(socket.request, socket.handshake.auth as Record<string, unknown>);
    if (problem) return next(Object.assign(new Error(problem.message), { data: { code: problem.code } }));
    const ip = socket.handshake.address;
    const count = perIp.get(ip) ?? 0;
    if (count >= limits.maxSocketsPerIp) return next(Object.assign(new Error(`at most ${limits.maxSocketsPerIp} connections per address`), { data: { code: 'RATE_LIMITED' } }));
    perIp.set(ip, count + 1);
    stats.connections++;
    socket.on('disconnect', () => {
      stats.connections--;
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
    });
    next();
  });
  registerSocketHandlers(io, {
    generation, jobs,
    limiter: new RateLimiter({ perSecond: limits.socketRequestsPerSecond, burst: limits.socketBurst }),
    maxInFlightPerSocket: limits.maxInFlightPerSocket,
    jam: options.jam ?? {},
  });
  const adapter = options.redis ? await (await import('../scale/socket-adapter.js')).attachRedisAdapter(io, options.redis.url, { prefix: options.redis.prefix }) : null;
  // Every instance hears the queues' events itself, so each relays them to its own sockets only (io.local).
  const broadcast = new JobBroadcast((id, event, job) => (adapter ? io.local : io).to(jobRoom(id)).emit(event, job));
  const previewCounts = new Map<string, number>();
  jobs.on('update', (job, kind) => {
    broadcast.send(job, kind);
    // A new checkpoint (seen as new previews) or a finished run changes what the registry lists.
    const checkpointed = job.previews.length !== (previewCounts.get(job.id) ?? 0);
    previewCounts.set(job.id, job.previews.length);
    if (job.output.model && (checkpointed || kind === 'done' || kind === 'failed')) void registry.scan();
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new StudioError('UNAVAILABLE', `port ${options.port} on ${host} is already in use; choose another with --port`) : err),
    );
    http.listen(options.port ?? 8080, host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const loadErrors = new Map<string, string>();
  const preloaded = options.preload === false
    ? Promise.resolve()
    : Promise.all(
        registry.list().map((m) =>
          pool.info(registry.get(m.id)).then(
            () => undefined,
            (err: unknown) => void loadErrors.set(m.id, err instanceof Error ? err.message : String(err)),
          ),
        ),
      ).then(() => undefined);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${address.port}`,
    host,
    port: address.port,
    registry, jobs, pool, stats, http, io, loadErrors, preloaded,
    close() {
      closing ??= (async () => {
        if (rescan) clearInterval(rescan);
        broadcast.close();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        http.closeAllConnections();
        await adapter?.close();
        await jobs.close();
        await pool.close();
        stats.close();
      })();
      return closing;
    },
  };
}
