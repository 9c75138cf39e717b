/**
 * The server's side of Redis mode: jobs go to BullMQ queues (one per kind of work, see queues.ts) and `studio
 * worker` processes run them. Every server instance listens to the queues' events and re-emits them as the same
 * 'update' events JobManager gives, so the API and the socket relay do not know which runner they have.
 *
 * A job cancelled before any worker took it is removed from its queue; its final view is kept in a Redis hash
 * (`<prefix>:cancelled`) so every instance still lists it and can resume it.
 */
import { EventEmitter } from 'node:events';
import type { Job, JobState as BullState, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { StudioError } from '../util/errors.js';
import type { JobRequestParsed, JobView } from '../protocol.js';
import { jobOutput, type JobDirectories } from '../jobs/job-commands.js';
import { isFinished, newJobId } from '../jobs/job-record.js';
import { jobConflict, type JobRunner, type JobRunnerEvents, type JobUpdateKind } from '../jobs/job-runner.js';
import { queuedJobView } from './queued-job-view.js';
import {
  DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, cancelChannel, queueOfType, retryPolicyDefaults,
  type QueueName, type QueuedJobData, type RetryPolicy,
} from './queues.js';
import { ioredisOptions, parseRedisUrl, redactRedisUrl, redactSecrets, type RedisConnectionSettings } from './redis-url.js';
import { loadRedisModules } from './redis-modules.js';

export interface RedisJobRunnerOptions {
  redisUrl: string;
  directories: JobDirectories;
  prefix?: string;
  retry?: Partial<RetryPolicy>;
  log?: (line: string) => void;
}

const UNFINISHED_STATES: BullState[] = ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children'];
const LISTED_STATES: BullState[] = [...UNFINISHED_STATES, 'completed', 'failed'];

export class RedisJobRunner extends EventEmitter<JobRunnerEvents> implements JobRunner {
  readonly mode = 'redis';
  readonly loadProblems: { path: string; message: string }[] = [];
  /** Per job, the refresh in flight: events of one job are relayed in the order they came. */
  private readonly refreshes = new Map<string, Promise<void>>();
  private closing = false;

  private constructor(
    private readonly queues: Map<QueueName, Queue>,
    private readonly events: QueueEvents[],
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly retry: RetryPolicy,
    private readonly directories: JobDirectories,
    readonly redisUrl: string,
    private readonly settings: RedisConnectionSettings,
  ) {
    super();
  }

  static async open(options: RedisJobRunnerOptions): Promise<RedisJobRunner> {
    const settings = parseRedisUrl(options.redisUrl);
    const where = redactRedisUrl(options.redisUrl);
    const log = options.log ?? ((line: string) => console.error(line));
    const { bullmq, IORedis } = await loadRedisModules();
    const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
    const client = new IORedis(ioredisOptions(settings, false)) as Redis;
    let lastError = '';
    client.on('error', (err: Error) => {
      const message = redactSecrets(err.message, settings);
      if (message !== lastError) log(`studio: Redis ${where}: ${message}`);
      lastError = message;
    });
    try {
      await client.ping();
    } catch (err) {
      client.disconnect();
      // The socket's own error (a refused connection, an untrusted certificate) says more than "Connection is closed".
      const message = lastError || redactSecrets(err instanceof Error ? err.message : String(err), settings);
      throw new StudioError('UNAVAILABLE', `cannot reach Redis at ${where}: ${message}`);
    }
    const queues = new Map<QueueName, Queue>();
    const events: QueueEvents[] = [];
    for (const name of QUEUE_NAMES) {
      const queue = new bullmq.Queue(name, { connection: ioredisOptions(settings, false), prefix });
      queue.on('error', (err: Error) => log(`studio: queue ${name}: ${redactSecrets(err.message, settings)}`));
      queues.set(name, queue);
      events.push(new bullmq.QueueEvents(name, { connection: ioredisOptions(settings, true), prefix }));
    }
    const runner = new RedisJobRunner(queues, events, client, prefix, { ...retryPolicyDefaults, ...options.retry }, options.directories, options.redisUrl, settings);
    for (const [i, queueEvents] of events.entries()) runner.listen(queueEvents, QUEUE_NAMES[i]!, log);
    await Promise.all(events.map((e) => e.waitUntilReady()));
    return runner;
  }

  async list(): Promise<JobView[]> {
    const views = await this.jobsIn(LISTED_STATES);
    views.push(...(await this.cancelledViews()));
    const seen = new Set<string>();
    return views
      .filter((v) => !seen.has(v.id) && seen.add(v.id))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  private async jobsIn(states: BullState[]): Promise<JobView[]> {
    const views: JobView[] = [];
    for (const queue of this.queues.values()) {
      for (const state of states) {
        const jobs = (await queue.getJobs([state], 0, this.retry.keepFinished)) as Job<QueuedJobData>[];
        for (const job of jobs) if (job) views.push(queuedJobView(job, state));
      }
    }
    return views;
  }

  async get(id: string): Promise<JobView> {
    const found = await this.find(id);
    if (found) return queuedJobView(found.job, found.state);
    const cancelled = await this.cancelledView(id);
    if (cancelled) return cancelled;
    throw new StudioError('NOT_FOUND', `no job "${String(id).slice(0, 80)}"`);
  }

  async submit(request: JobRequestParsed): Promise<JobView> {
    if (this.closing) throw new StudioError('UNAVAILABLE', 'the server is shutting down');
    const output = jobOutput(request);
    const unfinished = await this.jobsIn(UNFINISHED_STATES);
    const conflict = jobConflict(unfinished, request, output, this.directories.modelsDir);
    if (conflict) throw conflict;
    const data: QueuedJobData = { request, output, createdAt: new Date().toISOString() };
    return this.enqueue(newJobId(), data);
  }

  async cancel(id: string): Promise<JobView> {
    const found = await this.find(id);
    if (!found) {
      if (await this.cancelledView(id)) throw new StudioError('CONFLICT', `job ${id} has already ended (cancelled)`);
      throw new StudioError('NOT_FOUND', `no job "${String(id).slice(0, 80)}"`);
    }
    const { job, state } = found;
    const view = queuedJobView(job, state);
    if (isFinished(view.state)) throw new StudioError('CONFLICT', `job ${id} has already ended (${view.state})`);
    if (state !== 'active') {
      // Nobody runs it: record it as cancelled, then take it off the queue (unless a worker took it meanwhile).
      const ended: JobView = { ...view, state: 'cancelled', finishedAt: new Date().toISOString(), resumable: true, etaSeconds: null, rate: null };
      await this.client.hset(this.cancelledKey, id, JSON.stringify({ view: ended, data: job.data }));
      try {
        await job.remove();
        return ended;
      } catch {
        await this.client.hdel(this.cancelledKey, id);
      }
    }
    await job.updateData({ ...job.data, cancelRequested: true });
    await this.client.publish(cancelChannel(this.prefix), id);
    return queuedJobView(job, 'active');
  }

  async resume(id: string): Promise<JobView> {
    const found = await this.find(id);
    if (!found) {
      const raw = await this.client.hget(this.cancelledKey, id);
      if (!raw) throw new StudioError('NOT_FOUND', `no job "${String(id).slice(0, 80)}"`);
      const { data } = JSON.parse(raw) as { data: QueuedJobData };
      await this.checkNoOtherWriter(id, data.output);
      await this.client.hdel(this.cancelledKey, id);
      return this.enqueue(id, { ...data, cancelRequested: false, resume: true });
    }
    const { job, state } = found;
    const view = queuedJobView(job, state);
    if (!view.resumable) throw new StudioError('CONFLICT', `job ${id} (${view.state}) cannot be resumed`);
    await this.checkNoOtherWriter(id, view.output);
    await job.updateData({ ...job.data, cancelRequested: false, resume: true });
    await job.retry('failed', { resetAttemptsMade: true });
    return queuedJobView(job, 'waiting');
  }

  async readLog(id: string, maxBytes: number): Promise<string> {
    const found = await this.find(id);
    if (!found) {
      await this.get(id);
      return '';
    }
    const { logs } = await found.queue.getJobLogs(id, 0, -1, true);
    let text = logs.map((l) => l + '\n').join('');
    if (Buffer.byteLength(text) > maxBytes) text = Buffer.from(text).subarray(-maxBytes).toString('utf8');
    return text;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.refreshes.values()]);
    await Promise.all(this.events.map((e) => e.close().catch(() => undefined)));
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Where the server's side of a Redis URL is safe to print. */
  describe(): string {
    return redactRedisUrl(this.redisUrl);
  }

  private get cancelledKey(): string {
    return `${this.prefix}:cancelled`;
  }

  private async enqueue(id: string, data: QueuedJobData): Promise<JobView> {
    const queue = this.queues.get(queueOfType(data.request.type))!;
    const job = (await queue.add(data.request.type, data, {
      jobId: id,
      attempts: this.retry.attempts,
      backoff: { type: 'exponential', delay: this.retry.backoffMs },
      removeOnComplete: { count: this.retry.keepFinished },
      removeOnFail: { count: this.retry.keepFinished },
    })) as Job<QueuedJobData>;
    return queuedJobView(job, 'waiting');
  }

  private async checkNoOtherWriter(id: string, output: JobView['output']): Promise<void> {
    if (!output.model) return;
    const clash = (await this.jobsIn(UNFINISHED_STATES)).find((j) => j.id !== id && j.output.model === output.model);
    if (clash) throw new StudioError('CONFLICT', `job ${clash.id} is already training ${output.model}`);
  }

  private async find(id: string): Promise<{ job: Job<QueuedJobData>; queue: Queue; state: BullState | 'unknown' } | null> {
    if (typeof id !== 'string' || !/^[a-z0-9-]{1,64}$/.test(id)) return null;
    for (const queue of this.queues.values()) {
      const found = await readJob(queue, id);
      if (found) return { ...found, queue };
    }
    return null;
  }

  private async cancelledView(id: string): Promise<JobView | null> {
    const raw = await this.client.hget(this.cancelledKey, id);
    return raw ? (JSON.parse(raw) as { view: JobView }).view : null;
  }

  private async cancelledViews(): Promise<JobView[]> {
    const all = await this.client.hgetall(this.cancelledKey);
    return Object.values(all).map((raw) => (JSON.parse(raw) as { view: JobView }).view);
  }

  /** Relays one queue's events as 'update's: state changes, progress, and each run's end. */
  private listen(events: QueueEvents, queue: QueueName, log: (line: string) => void): void {
    events.on('error', (err: Error) => log(`studio: queue events ${queue}: ${redactSecrets(err.message, this.settings)}`));
    const relay = (kind: JobUpdateKind) => ({ jobId }: { jobId: string }) => this.refresh(jobId, kind, queue);
    events.on('waiting', relay('state'));
    events.on('active', relay('state'));
    events.on('delayed', relay('state'));
    events.on('stalled', relay('state'));
    events.on('progress', relay('progress'));
    events.on('completed', relay('done'));
    events.on('failed', relay('failed'));
    events.on('removed', ({ jobId }: { jobId: string }) => {
      this.chain(jobId, async () => {
        const view = await this.cancelledView(jobId);
        if (view) this.emit('update', view, 'failed');
      });
    });
  }

  private refresh(id: string, kind: JobUpdateKind, queue: QueueName): void {
    this.chain(id, async () => {
      const found = await readJob(this.queues.get(queue)!, id);
      if (!found) return;
      const view = queuedJobView(found.job, found.state);
      // A failed run that will be retried is not the job's end.
      const actual: JobUpdateKind = kind === 'failed' && !isFinished(view.state) ? 'state' : kind === 'done' && view.state !== 'succeeded' ? 'state' : kind;
      this.emit('update', view, actual);
    });
  }

  private chain(id: string, work: () => Promise<void>): void {
    if (this.closing) return;
    const next = (this.refreshes.get(id) ?? Promise.resolve()).then(work).catch(() => undefined);
    this.refreshes.set(id, next);
    void next.then(() => {
      if (this.refreshes.get(id) === next) this.refreshes.delete(id);
    });
  }
}

/**
 * A job and its state, read in that order: state first, then the record. A run's end changes both at once (one
 * script), so a finished state then always comes with the finished record (failedReason, finishedOn); read the other
 * way round, a record read while the job was active could pair with the state "failed" and show no reason.
 */
async function readJob(queue: Queue, id: string): Promise<{ job: Job<QueuedJobData>; state: BullState | 'unknown' } | null> {
  const state = (await queue.getJobState(id)) as BullState | 'unknown';
  const job = (await queue.getJob(id)) as Job<QueuedJobData> | undefined;
  return job ? { job, state } : null;
}
