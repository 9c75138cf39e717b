/**
 * The job queue: training and dataset builds as child processes of the `studio` CLI, `concurrency` at a time,
 * started in the order they were submitted. Every state change is saved (one JSON file per job), so a restarted
 * server shows what happened: jobs that were running are marked interrupted (and their orphaned processes are told
 * to checkpoint and stop), queued jobs stay queued, and any interrupted, cancelled or failed job can be resumed
 * (training continues from its checkpoint with --resume).
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { StudioError, describeThrown } from '../util/errors.js';
import { projectRoot } from '../util/version.js';
import type { JobRequestParsed, JobView } from '../protocol.js';
import { newJobRecord, toJobView, isFinished, type JobRecord } from './job-record.js';
import { JobStore } from './job-store.js';
import { jobArgv, jobOutput, isTrainingJob, type JobDirectories } from './job-commands.js';
import { jobConflict, type JobRunner, type JobRunnerEvents, type JobUpdateKind } from './job-runner.js';
import { readFileTail } from './log-tail.js';
import { JobProcess, isJobProcess } from './job-process.js';
import { ProgressTracker } from './progress-tracker.js';
import { listPreviews } from './previews.js';
import { studioLauncher } from './studio-command.js';

export interface JobManagerOptions {
  /** Where job files live (e.g. `.studio/jobs`). */
  stateDir: string;
  directories: JobDirectories;
  /** Jobs running at once; each takes about one core. */
  concurrency?: number;
  /** Program + leading arguments of the studio CLI (defaults to this installation's). */
  launcher?: string[];
  /** Time a job gets to checkpoint after SIGTERM before SIGKILL. */
  cancelGraceMs?: number;
  /** Nice value added to job processes so the server keeps its core. */
  niceness?: number;
  env?: NodeJS.ProcessEnv;
  /** URL of a model's preview file, as clients fetch it. */
  previewUrl?: (modelId: string, relativePath: string) => string;
}

export const jobManagerDefaults = {
  concurrency: 1,
  cancelGraceMs: 15_000,
  niceness: 10,
  previewUrl: (modelId: string, rel: string) => `/api/models/${encodeURIComponent(modelId)}/previews/${rel.split('/').map(encodeURIComponent).join('/')}`,
};

export type { JobUpdateKind };
export type JobManagerEvents = JobRunnerEvents;

const SAVE_PROGRESS_EVERY_MS = 2000;
const PREVIEW_SCAN_EVERY_MS = 3000;
const LOG_TAIL_LINES = 40;

interface Running {
  process: JobProcess;
  /** Settles once the run's end is recorded (state saved). */
  finished: Promise<void>;
  tracker: ProgressTracker;
  lastSavedAt: number;
  lastPreviewScanAt: number;
  log: NodeJS.WritableStream;
}

export class JobManager extends EventEmitter<JobManagerEvents> implements JobRunner {
  readonly mode = 'local';
  readonly store: JobStore;
  private readonly jobs = new Map<string, JobRecord>();
  private readonly running = new Map<string, Running>();
  private readonly saves = new Map<string, Promise<void>>();
  private readonly options: Required<Omit<JobManagerOptions, 'env'>> & { env: NodeJS.ProcessEnv };
  private closing = false;
  /** Problems found loading job files (shown by /api/health). */
  loadProblems: { path: string; message: string }[] = [];

  private constructor(options: JobManagerOptions) {
    super();
    this.options = {
      ...jobManagerDefaults,
      launcher: studioLauncher(),
      env: {},
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as JobManager['options'];
    this.store = new JobStore(options.stateDir);
  }

  /** Loads saved jobs, recovers what a previous server left running, and starts queued jobs. */
  static async open(options: JobManagerOptions): Promise<JobManager> {
    const manager = new JobManager(options);
    const { jobs, problems } = await manager.store.loadAll();
    manager.loadProblems = problems;
    for (const job of jobs) {
      manager.jobs.set(job.id, job);
      if (job.state === 'running') await manager.recoverInterrupted(job);
    }
    manager.pump();
    return manager;
  }

  list(): JobView[] {
    return [...this.jobs.values()].map(toJobView);
  }

  get(id: string): JobView {
    return toJobView(this.record(id));
  }

  async submit(request: JobRequestParsed): Promise<JobView> {
    if (this.closing) throw new StudioError('UNAVAILABLE', 'the server is shutting down');
    const output = jobOutput(request);
    const unfinished = [...this.jobs.values()].filter((j) => !isFinished(j.state));
    const conflict = jobConflict(unfinished, request, output, this.options.directories.modelsDir);
    if (conflict) throw conflict;
    const job = newJobRecord(request.type, request.options as Record<string, unknown>, output);
    this.jobs.set(job.id, job);
    await this.save(job);
    this.emit('update', toJobView(job), 'state');
    this.pump();
    return toJobView(job);
  }

  /** Cancels a queued job at once; a running one gets SIGTERM (it checkpoints), then SIGKILL after the grace time. */
  async cancel(id: string): Promise<JobView> {
    const job = this.record(id);
    if (isFinished(job.state)) throw new StudioError('CONFLICT', `job ${id} has already ended (${job.state})`);
    job.cancelRequested = true;
    const run = this.running.get(id);
    if (run) {
      run.process.stop(this.options.cancelGraceMs);
      await this.save(job);
      return toJobView(job);
    }
    await this.finish(job, 'cancelled', null);
    return toJobView(job);
  }

  /** Queues an ended job again: training resumes from its checkpoint, dataset builds start over. */
  async resume(id: string): Promise<JobView> {
    const job = this.record(id);
    if (!job.resumable) throw new StudioError('CONFLICT', `job ${id} (${job.state}) cannot be resumed`);
    const clash = [...this.jobs.values()].find((j) => j.id !== id && !isFinished(j.state) && j.output.model && j.output.model === job.output.model);
    if (clash) throw new StudioError('CONFLICT', `job ${clash.id} is already training ${job.output.model}`);
    Object.assign(job, { state: 'queued', error: null, finishedAt: null, cancelRequested: false, resumable: false, etaSeconds: null, rate: null });
    await this.save(job);
    this.emit('update', toJobView(job), 'state');
    this.pump();
    return toJobView(job);
  }

  /** Path of a job's output log (what its process printed). */
  logPath(id: string): string {
    this.record(id);
    return this.store.logPath(id);
  }

  readLog(id: string, maxBytes: number): Promise<string> {
    return readFileTail(this.logPath(id), maxBytes);
  }

  /** Stops every running job (SIGTERM, they checkpoint) and marks it interrupted; queued jobs stay queued. */
  async close(): Promise<void> {
    this.closing = true;
    const exits = [...this.running.values()].map((run) => {
      run.process.stop(this.options.cancelGraceMs);
      return run.finished;
    });
    await Promise.all(exits);
    await Promise.all([...this.saves.values()]);
  }

  private record(id: string): JobRecord {
    const job = typeof id === 'string' ? this.jobs.get(id) : undefined;
    if (!job) throw new StudioError('NOT_FOUND', `no job "${String(id).slice(0, 80)}"`);
    return job;
  }

  private pump(): void {
    if (this.closing) return;
    for (const job of this.jobs.values()) {
      if (this.running.size >= this.options.concurrency) return;
      if (job.state === 'queued' && !this.running.has(job.id)) this.start(job);
    }
  }

  private start(job: JobRecord): void {
    const resume = job.attempts > 0 && isTrainingJob(job.type) && this.hasCheckpoint(job);
    const args = jobArgv({ type: job.type, options: job.options } as JobRequestParsed, { ...this.options.directories, resume });
    const argv = [...this.options.launcher, ...args];
    Object.assign(job, {
      state: 'running', attempts: job.attempts + 1, startedAt: new Date().toISOString(), finishedAt: null,
      error: null, lastArgv: args, progress: null, etaSeconds: null, rate: null,
    });
    const log = this.store.openLog(job.id);
    log.on('error', () => undefined);
    log.write(`\n== run ${job.attempts} at ${job.startedAt}: studio ${args.join(' ')}\n`);
    let process: JobProcess;
    try {
      process = new JobProcess({
        argv, jobId: job.id, cwd: projectRoot(), env: this.options.env, niceness: this.options.niceness,
        onProgress: (event) => this.onProgress(job, event),
        onOutputLine: (line) => this.onOutput(job, line),
      });
    } catch (err) {
      log.end();
      void this.finish(job, 'failed', { code: 'INTERNAL', message: `cannot start the job: ${describeThrown(err)}` }).then(() => this.pump());
      return;
    }
    job.pid = process.pid;
    const finished = process.exited.then(async (exit) => {
      this.running.delete(job.id);
      log.write(`== exit code ${exit.code ?? '-'} signal ${exit.signal ?? '-'}\n`);
      log.end();
      await this.scanPreviews(job);
      if (this.closing && !job.cancelRequested) {
        await this.finish(job, 'interrupted', { code: 'UNAVAILABLE', message: 'the server stopped while the job ran; resume it to continue' });
      } else if (job.cancelRequested) {
        await this.finish(job, 'cancelled', null);
      } else if (exit.code === 0) {
        await this.finish(job, 'succeeded', null);
      } else {
        await this.finish(job, 'failed', { code: 'INTERNAL', message: failureMessage(job, exit) });
      }
      this.pump();
    });
    this.running.set(job.id, { process, finished, tracker: new ProgressTracker(), lastSavedAt: 0, lastPreviewScanAt: 0, log });
    void this.save(job);
    this.emit('update', toJobView(job), 'state');
  }

  /** Records the end of a run; saved before anyone is told, so a restart right after job:done agrees with it. */
  private async finish(job: JobRecord, state: 'succeeded' | 'failed' | 'cancelled' | 'interrupted', error: JobRecord['error']): Promise<void> {
    job.state = state;
    job.error = error;
    job.pid = null;
    job.finishedAt = new Date().toISOString();
    job.etaSeconds = state === 'succeeded' ? 0 : null;
    job.resumable = state !== 'succeeded';
    await this.save(job);
    this.emit('update', toJobView(job), state === 'succeeded' ? 'done' : 'failed');
  }

  private onProgress(job: JobRecord, event: Record<string, unknown>): void {
    const run = this.running.get(job.id);
    if (!run) return;
    const update = run.tracker.read(event);
    const now = Date.now();
    if (update) ProgressTracker.apply(job, update);
    const checkpointed = event.type === 'checkpoint' || event.type === 'preview';
    if (checkpointed || now - run.lastPreviewScanAt > PREVIEW_SCAN_EVERY_MS) {
      run.lastPreviewScanAt = now;
      void this.scanPreviews(job).then((changed) => {
        if (changed) this.emit('update', toJobView(job), 'progress');
      });
    }
    if (!update && !checkpointed) return;
    if (now - run.lastSavedAt > SAVE_PROGRESS_EVERY_MS) {
      run.lastSavedAt = now;
      void this.save(job);
    }
    this.emit('update', toJobView(job), 'progress');
  }

  private onOutput(job: JobRecord, line: string): void {
    this.running.get(job.id)?.log.write(line + '\n');
    // Progress bars redraw with carriage returns; keep the last frame of a line only.
    const shown = line.split('\r').pop()!.slice(0, 300);
    if (!shown.trim()) return;
    job.logTail.push(shown);
    if (job.logTail.length > LOG_TAIL_LINES) job.logTail.splice(0, job.logTail.length - LOG_TAIL_LINES);
  }

  private async scanPreviews(job: JobRecord): Promise<boolean> {
    if (!job.output.model) return false;
    const files = await listPreviews(path.join(this.options.directories.modelsDir, job.output.model));
    const urls = files.map((rel) => this.options.previewUrl(job.output.model!, rel));
    if (urls.length === job.previews.length && urls.every((u, i) => u === job.previews[i])) return false;
    job.previews = urls;
    return true;
  }

  private hasCheckpoint(job: JobRecord): boolean {
    return !!job.output.model && existsSync(path.join(this.options.directories.modelsDir, job.output.model, 'model.json'));
  }

  /** A job saved as running belongs to a server that is gone: stop its orphan (it checkpoints) and mark it. */
  private async recoverInterrupted(job: JobRecord): Promise<void> {
    if (job.pid && (await isJobProcess(job.pid, job.id))) {
      try {
        process.kill(-job.pid, 'SIGTERM');
      } catch {
        try {
          process.kill(job.pid, 'SIGTERM');
        } catch {
          // gone meanwhile
        }
      }
    }
    job.state = 'interrupted';
    job.pid = null;
    job.finishedAt = new Date().toISOString();
    job.error = { code: 'UNAVAILABLE', message: 'the server restarted while the job ran; resume it to continue from its last checkpoint' };
    job.resumable = true;
    job.etaSeconds = null;
    await this.save(job);
  }

  /** Saves are chained per job so an older snapshot never lands after a newer one. */
  private save(job: JobRecord): Promise<void> {
    const snapshot = structuredClone(job);
    const previous = this.saves.get(job.id) ?? Promise.resolve();
    const next = previous.then(() => this.store.save(snapshot)).catch((err) => {
      console.error(`studio: cannot save job ${job.id}: ${describeThrown(err)}`);
    });
    this.saves.set(job.id, next);
    void next.then(() => {
      if (this.saves.get(job.id) === next) this.saves.delete(job.id);
    });
    return next;
  }
}

function failureMessage(job: JobRecord, exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  const said = [...job.logTail].reverse().find((l) => l.startsWith('studio:'));
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return said ? `${said.replace(/^studio:\s*/, '')} (${how})` : `the job ${how}`;
}
