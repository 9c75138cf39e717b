/**
 * One run of a job: a child process with an extra pipe (fd 3) on which every CLI ProgressBar writes its events as
 * JSON lines (server/util/progress.ts). The child leads its own process group, so stopping it stops anything it
 * started; it runs at a lower CPU priority so the server's event loop keeps its core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { PROGRESS_FD_ENV } from '../util/progress.js';
import { StudioError } from '../util/errors.js';

export const JOB_ID_ENV = 'STUDIO_JOB_ID';
const NICE = '/usr/bin/nice';
const PROGRESS_FD = 3;
/** Longer lines are garbage (or an attack on memory): dropped. */
const MAX_LINE_CHARS = 64 * 1024;

export interface JobProcessOptions {
  /** Program and arguments. */
  argv: string[];
  jobId: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Added to the child's nice value (0 = same priority as the server). */
  niceness: number;
  onProgress: (event: Record<string, unknown>) => void;
  onOutputLine: (line: string) => void;
  /**
   * Give the child a stdin pipe this process holds open for the child's life: it reads end-of-file when this
   * process dies, even by SIGKILL (see server/scale/lifeline.ts, which turns that into SIGTERM).
   */
  lifeline?: boolean;
}

export interface JobExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class JobProcess {
  readonly pid: number;
  readonly exited: Promise<JobExit>;
  private readonly child: ChildProcess;
  private killTimer: NodeJS.Timeout | null = null;

  constructor(options: JobProcessOptions) {
    if (!options.argv[0]) throw new StudioError('INTERNAL', 'empty job command');
    // Through nice(1) when there is one, so every thread of the job (V8's own included) runs at the lower priority.
    const niced = options.niceness > 0 && existsSync(NICE);
    const [program, ...args] = niced ? [NICE, '-n', String(options.niceness), ...options.argv] : options.argv;
    this.child = spawn(program!, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, [PROGRESS_FD_ENV]: String(PROGRESS_FD), [JOB_ID_ENV]: options.jobId },
      stdio: [options.lifeline ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        options.onOutputLine(`cannot start: ${err.message}`);
        resolve({ code: 127, signal: null });
      });
      this.child.once('close', (code, signal) => {
        if (this.killTimer) clearTimeout(this.killTimer);
        resolve({ code, signal });
      });
    });
    this.child.stdin?.on('error', () => undefined);
    this.pid = this.child.pid ?? -1;
    if (this.pid > 0 && options.niceness > 0 && !niced) {
      try {
        setPriority(this.pid, options.niceness);
      } catch {
        // Not permitted here: the job runs at normal priority.
      }
    }
    readLines(this.child.stdout!, options.onOutputLine);
    readLines(this.child.stderr!, options.onOutputLine);
    readLines(this.child.stdio[PROGRESS_FD] as Readable, (line) => {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      if (event && typeof event === 'object' && !Array.isArray(event)) options.onProgress(event as Record<string, unknown>);
    });
  }

  /** SIGTERM (trainers checkpoint on it), then SIGKILL after `graceMs` if the child is still there. */
  stop(graceMs: number): void {
    this.signal('SIGTERM');
    if (this.killTimer) return;
    this.killTimer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    this.killTimer.unref();
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.pid <= 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}

/** Calls `onLine` for each complete line of a stream (without the newline); overlong lines are cut. */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      if (line.length > 0) onLine(line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line);
    }
    if (pending.length > MAX_LINE_CHARS) pending = '';
  });
  stream.on('end', () => {
    if (pending.length > 0) onLine(pending);
    pending = '';
  });
  stream.on('error', () => undefined);
}

/** Whether process `pid` is alive and was started for job `jobId` (Linux: reads its environment). */
export async function isJobProcess(pid: number, jobId: string): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const { readFile } = await import('node:fs/promises');
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1');
    return environ.split('\0').includes(`${JOB_ID_ENV}=${jobId}`);
  } catch {
    return false;
  }
}
