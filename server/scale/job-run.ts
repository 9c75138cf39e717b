/**
 * One run of a queued job on a worker: the same `studio` child process the one-machine server starts (JobProcess,
 * progress as JSON lines on fd 3), with its progress forwarded through BullMQ's job.updateProgress and its output
 * through job.log. Decides nothing about retries; it reports how the child ended.
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Job } from 'bullmq';
import { jobArgv, isTrainingJob, type JobDirectories } from '../jobs/job-commands.js';
import { JobProcess, isJobProcess, type JobExit } from '../jobs/job-process.js';
import { ProgressTracker } from '../jobs/progress-tracker.js';
import { listPreviews } from '../jobs/previews.js';
import { projectRoot } from '../util/version.js';
import type { JobRequestParsed, JobView } from '../protocol.js';
import { LIFELINE_ENV, withLifeline } from './lifeline-env.js';
import type { QueuedJobData, QueuedJobProgress } from './queues.js';

export interface JobRunOptions {
  directories: JobDirectories;
  launcher: string[];
  niceness: number;
  cancelGraceMs: number;
  progressEveryMs: number;
  /** Lines of output stored in Redis per run (job.log). */
  maxLogLines: number;
  workerName: string;
  previewUrl: (modelId: string, relativePath: string) => string;
  env?: NodeJS.ProcessEnv;
}

const LOG_TAIL_LINES = 40;
const PREVIEW_SCAN_EVERY_MS = 3000;

export interface JobRunResult {
  exit: JobExit;
  /** The last `studio: …` line the child printed (its error message), if any. */
  said: string | null;
  resumed: boolean;
  /** stop() reached this run before its child ended (or before it started): the run was cut short, not finished. */
  stopped: boolean;
}

export class JobRun {
  private process: JobProcess | null = null;
  private readonly tracker = new ProgressTracker();
  private readonly state: QueuedJobProgress;
  private lastSentAt = 0;
  private lastPreviewScanAt = 0;
  private sendTimer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private logLines = 0;
  private stopRequested = false;
  private ended = false;

  constructor(
    private readonly job: Job<QueuedJobData>,
    private readonly request: JobRequestParsed,
    /** What the job writes, from the validated request (jobOutput). */
    private readonly output: JobView['output'],
    private readonly options: JobRunOptions,
  ) {
    const before = (job.progress && typeof job.progress === 'object' ? job.progress : {}) as Partial<QueuedJobProgress>;
    // Loss history and previews carry over from earlier runs, as they do in one-machine mode.
    this.state = {
      progress: null, losses: before.losses ?? {}, lossHistory: before.lossHistory ?? [], etaSeconds: null, rate: null,
      previews: before.previews ?? [], logTail: before.logTail ?? [], worker: options.workerName, childPid: null, run: job.attemptsStarted,
    };
  }

  /** Runs the child to its end. */
  async run(): Promise<JobRunResult> {
    await this.waitForOrphan();
    // Told to stop while it waited for an orphan: start nothing (the caller puts the job back).
    if (this.stopRequested) return { exit: { code: null, signal: 'SIGTERM' }, said: null, resumed: false, stopped: true };
    const model = this.output.model;
    const checkpoint = model !== undefined && existsSync(path.join(this.options.directories.modelsDir, model, 'model.json'));
    // A run after a stall, a crash or a resume request continues from the checkpoint: never a second model folder.
    const resumed = isTrainingJob(this.request.type) && checkpoint && (this.job.data.resume === true || this.job.attemptsStarted > 1);
    const args = jobArgv(this.request, { ...this.options.directories, resume: resumed });
    this.log(`== run ${this.job.attemptsStarted} on ${this.options.workerName} at ${new Date().toISOString()}: studio ${args.join(' ')}`);
    const child = new JobProcess({
      argv: [...withLifeline(this.options.launcher), ...args],
      jobId: String(this.job.id),
      cwd: projectRoot(),
      env: { ...this.options.env, [LIFELINE_ENV]: '1' },
      niceness: this.options.niceness,
      lifeline: true,
      onProgress: (event) => this.onProgress(event),
      onOutputLine: (line) => this.onOutput(line),
    });
    this.process = child;
    this.state.childPid = child.pid;
    this.send(true);
    const exit = await child.exited;
    this.ended = true;
    this.process = null;
    this.state.childPid = null;
    this.log(`== exit code ${exit.code ?? '-'} signal ${exit.signal ?? '-'}`);
    await this.scanPreviews();
    if (exit.code === 0) this.state.etaSeconds = 0;
    this.send(true);
    await this.sending;
    const said = [...this.state.logTail].reverse().find((l) => l.startsWith('studio:')) ?? null;
    return { exit, said: said?.replace(/^studio:\s*/, '') ?? null, resumed, stopped: this.stopRequested };
  }

  /** SIGTERM (the child checkpoints), SIGKILL after the grace time. */
  stop(): void {
    // A child that has already ended keeps its result: a late stop must not turn a finished job into a stopped one.
    if (this.ended) return;
    this.stopRequested = true;
    this.process?.stop(this.options.cancelGraceMs);
  }

  /**
   * A run of this job whose worker died on this same host may still be checkpointing (its lifeline told it to stop):
   * wait for it, so two processes never write one model folder. On another host the lifeline alone takes care.
   */
  private async waitForOrphan(): Promise<void> {
    const before = this.job.progress as Partial<QueuedJobProgress> | undefined;
    const pid = before?.childPid;
    const [host] = (before?.worker ?? '').split(':');
    if (!pid || host !== os.hostname()) return;
    const deadline = Date.now() + this.options.cancelGraceMs;
    let signalled = false;
    while (await isJobProcess(pid, String(this.job.id))) {
      if (!signalled) {
        signalled = true;
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          // not ours to signal, or gone
        }
      }
      if (Date.now() > deadline) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private onProgress(event: Record<string, unknown>): void {
    const update = this.tracker.read(event);
    // apply() touches only the live fields a QueuedJobProgress shares with a JobView.
    if (update) ProgressTracker.apply(this.state as unknown as JobView, update);
    const checkpointed = event.type === 'checkpoint' || event.type === 'preview';
    const now = Date.now();
    if (checkpointed || now - this.lastPreviewScanAt > PREVIEW_SCAN_EVERY_MS) {
      this.lastPreviewScanAt = now;
      void this.scanPreviews().then((changed) => changed && this.send(false));
    }
    if (update || checkpointed) this.send(checkpointed);
  }

  private onOutput(line: string): void {
    this.log(line);
    const shown = line.split('\r').pop()!.slice(0, 300);
    if (!shown.trim()) return;
    this.state.logTail.push(shown);
    if (this.state.logTail.length > LOG_TAIL_LINES) this.state.logTail.splice(0, this.state.logTail.length - LOG_TAIL_LINES);
  }

  private log(line: string): void {
    if (this.logLines >= this.options.maxLogLines) return;
    this.logLines++;
    const text = this.logLines === this.options.maxLogLines ? '== (output cut here; see the worker host)' : line.slice(0, 2000);
    void this.job.log(text).catch(() => undefined);
  }

  /** At most one update per progressEveryMs (the latest state always goes out); `now` skips the wait. */
  private send(now: boolean): void {
    const wait = now ? 0 : Math.max(0, this.lastSentAt + this.options.progressEveryMs - Date.now());
    if (this.sendTimer) {
      if (!now) return;
      clearTimeout(this.sendTimer);
      this.sendTimer = null;
    }
    const flush = () => {
      this.sendTimer = null;
      this.lastSentAt = Date.now();
      const snapshot = structuredClone(this.state);
      this.sending = this.sending.then(() => this.job.updateProgress(snapshot)).catch(() => undefined);
    };
    if (wait === 0) flush();
    else this.sendTimer = setTimeout(flush, wait);
  }

  private async scanPreviews(): Promise<boolean> {
    const model = this.output.model;
    if (!model) return false;
    const files = await listPreviews(path.join(this.options.directories.modelsDir, model));
    const urls = files.map((rel) => this.options.previewUrl(model, rel));
    if (urls.length === this.state.previews.length && urls.every((u, i) => u === this.state.previews[i])) return false;
    this.state.previews = urls;
    return true;
  }
}
