/**
 * `studio worker`: BullMQ workers on the studio's queues, each job run as a `studio` child process (JobRun).
 * Failure policy, from the engine: a run that crashes is retried with backoff (training resumes from its
 * checkpoint); a worker that dies leaves its job stalled, and BullMQ hands it to another worker; a job whose request
 * does not validate, or that the CLI rejects as bad input, fails once (UnrecoverableError); a cancel request stops
 * the child (it checkpoints) and fails the job as cancelled. A worker told to stop (SIGTERM) puts its jobs back.
 */
import * as os from 'node:os';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { StudioError } from '../util/errors.js';
import { jobRequestSchema, type JobRequestParsed } from '../protocol.js';
import { jobOutput, type JobDirectories } from '../jobs/job-commands.js';
import { jobManagerDefaults } from '../jobs/job-manager.js';
import { studioLauncher } from '../jobs/studio-command.js';
import { JobRun, type JobRunOptions } from './job-run.js';
import { BAD_REQUEST_PREFIX, CANCELLED_REASON, DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, cancelChannel, type QueueName, type QueuedJobData } from './queues.js';
import { ioredisOptions, parseRedisUrl, redactRedisUrl, redactSecrets } from './redis-url.js';
import { loadRedisModules } from './redis-modules.js';

export interface QueueWorkerOptions {
  redisUrl: string;
  directories: JobDirectories;
  /** Queues to take jobs from (default: all). */
  queues?: QueueName[];
  /** Jobs run at once per queue; each takes about one core. */
  concurrency?: number;
  prefix?: string;
  launcher?: string[];
  niceness?: number;
  /** Time a stopped job gets to checkpoint before SIGKILL. */
  cancelGraceMs?: number;
  /** A job whose worker has not renewed its lock for this long counts as stalled. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs. */
  stalledIntervalMs?: number;
  /** Stalls a job survives before it fails. */
  maxStalledCount?: number;
  progressEveryMs?: number;
  maxLogLines?: number;
  /** Shown as the job's worker (default host:pid). */
  name?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the worker says what it does (default: stderr). */
  log?: (line: string) => void;
}

export const queueWorkerDefaults = {
  concurrency: 1,
  niceness: jobManagerDefaults.niceness,
  cancelGraceMs: jobManagerDefaults.cancelGraceMs,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  progressEveryMs: 500,
  maxLogLines: 5000,
};

export class QueueWorker {
  private readonly runs = new Map<string, { run: JobRun; cancelled: boolean }>();
  private stopping = false;

  private constructor(
    readonly name: string,
    private readonly workers: Worker[],
    private readonly subscriber: Redis,
  ) {}

  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    const o = { ...queueWorkerDefaults, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<Omit<QueueWorkerOptions, 'env' | 'log' | 'launcher' | 'name' | 'queues' | 'prefix'>> & QueueWorkerOptions;
    const settings = parseRedisUrl(options.redisUrl);
    const where = redactRedisUrl(options.redisUrl);
    const log = options.log ?? ((line: string) => console.error(line));
    const { bullmq, IORedis } = await loadRedisModules();
    const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
    const name = options.name ?? `${os.hostname()}:${process.pid}`;
    const runOptions: JobRunOptions = {
      directories: options.directories,
      launcher: options.launcher ?? studioLauncher(),
      niceness: o.niceness,
      cancelGraceMs: o.cancelGraceMs,
      progressEveryMs: o.progressEveryMs,
      maxLogLines: o.maxLogLines,
      workerName: name,
      previewUrl: jobManagerDefaults.previewUrl,
      env: options.env,
    };

    // Fail at once on a wrong address or password instead of retrying in silence.
    const probe = new IORedis({ ...ioredisOptions(settings, false), lazyConnect: true }) as Redis;
    // The socket's own error (a refused connection, an untrusted certificate) says more than "Connection is closed".
    let cause = '';
    probe.on('error', (err: Error) => (cause = err.message));
    try {
      await probe.connect();
      await probe.ping();
    } catch (err) {
      const message = cause || (err instanceof Error ? err.message : String(err));
      throw new StudioError('UNAVAILABLE', `cannot reach Redis at ${where}: ${redactSecrets(message, settings)}`);
    } finally {
      probe.disconnect();
    }
    const subscriber = new IORedis(ioredisOptions(settings, true)) as Redis;
    subscriber.on('error', (err: Error) => log(`studio worker: Redis ${where}: ${redactSecrets(err.message, settings)}`));
    await subscriber.subscribe(cancelChannel(prefix));
    const workers: Worker[] = [];
    const worker = new QueueWorker(name, workers, subscriber);
    subscriber.on('message', (_channel: string, id: string) => {
      const entry = worker.runs.get(id);
      if (!entry) return;
      entry.cancelled = true;
      log(`studio worker: job ${id}: cancel requested, stopping it (it checkpoints)`);
      entry.run.stop();
    });

    for (const queue of options.queues ?? QUEUE_NAMES) {
      const processor = (job: Job<QueuedJobData>, token?: string) => worker.process(job, token, runOptions, log, bullmq);
      const w = new bullmq.Worker<QueuedJobData>(queue, processor, {
        connection: ioredisOptions(settings, true),
        prefix,
        concurrency: o.concurrency,
        lockDuration: o.lockDurationMs,
        stalledInterval: o.stalledIntervalMs,
        maxStalledCount: o.maxStalledCount,
        name,
        autorun: true,
      });
      w.on('error', (err: Error) => log(`studio worker: queue ${queue}: ${redactSecrets(err.message, settings)}`));
      w.on('failed', (job: Job | undefined, err: Error) => log(`studio worker: job ${job?.id ?? '?'} failed: ${redactSecrets(err.message, settings)}`));
      w.on('completed', (job: Job) => log(`studio worker: job ${job.id} done`));
      workers.push(w);
    }
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    log(`studio worker ${name}: taking ${(options.queues ?? QUEUE_NAMES).join(', ')} jobs from ${where} (concurrency ${o.concurrency} per queue)`);
    return worker;
  }

  /** Stops taking jobs; running jobs checkpoint and go back to the queue for another worker. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const { run } of this.runs.values()) run.stop();
    await Promise.all(this.workers.map((w) => w.close()));
    await this.subscriber.quit().catch(() => undefined);
  }

  private async process(
    job: Job<QueuedJobData>,
    token: string | undefined,
    runOptions: JobRunOptions,
    log: (line: string) => void,
    bullmq: typeof import('bullmq'),
  ): Promise<{ exitCode: number }> {
    const request = validRequest(job, bullmq);
    if (job.data.cancelRequested) throw new bullmq.UnrecoverableError(CANCELLED_REASON);
    // Fetched just as this worker began to stop: not started, straight back.
    if (this.stopping) return this.putBack(job, token, bullmq);
    const output = jobOutput(request);
    const run = new JobRun(job, request, output, runOptions);
    const id = String(job.id);
    const entry = { run, cancelled: false };
    this.runs.set(id, entry);
    log(`studio worker: job ${id} (${request.type}) run ${job.attemptsStarted}`);
    let result;
    try {
      result = await run.run();
    } finally {
      this.runs.delete(id);
    }
    if (entry.cancelled) throw new bullmq.UnrecoverableError(CANCELLED_REASON);
    // Cut short because this worker is stopping, not by the job's fault. The exit code cannot tell a run that
    // checkpointed on SIGTERM from one that had finished, so any run the stop reached goes back; a finished
    // training run resumed at its last step ends at once.
    if (this.stopping && result.stopped) return this.putBack(job, token, bullmq);
    if (result.exit.code === 0) return { exitCode: 0 };
    const how = result.exit.signal ? `was killed by ${result.exit.signal}` : `exited with code ${result.exit.code}`;
    const message = result.said ? `${result.said} (${how})` : `the job ${how}`;
    // Exit code 2 is the CLI's "bad input": running it again cannot help.
    if (result.exit.code === 2) throw new bullmq.UnrecoverableError(message);
    throw new Error(message);
  }

  /** Back to the queue for another worker, without using up one of the job's attempts. */
  private async putBack(job: Job<QueuedJobData>, token: string | undefined, bullmq: typeof import('bullmq')): Promise<never> {
    await job.moveToWait(token);
    // Tells BullMQ the job has left the active list by our doing: neither completed nor failed.
    throw new bullmq.WaitingError();
  }
}

/** The job's request, validated like the server validates it; anything else is a poisoned job that fails once. */
function validRequest(job: Job<QueuedJobData>, bullmq: typeof import('bullmq')): JobRequestParsed {
  const parsed = jobRequestSchema.safeParse(job.data?.request);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
    throw new bullmq.UnrecoverableError(`${BAD_REQUEST_PREFIX}${issues}`);
  }
  return parsed.data;
}
