import cliProgress from 'cli-progress';
import { writeSync } from 'node:fs';

/**
 * When a job runner starts a CLI command as a child process it sets STUDIO_PROGRESS_FD to a file descriptor; every
 * ProgressBar then also writes each event there as one JSON line, so the server streams progress without parsing
 * terminal output.
 */
export const PROGRESS_FD_ENV = 'STUDIO_PROGRESS_FD';

function progressFd(): number | null {
  const raw = process.env[PROGRESS_FD_ENV];
  if (!raw) return null;
  const fd = Number(raw);
  return Number.isInteger(fd) && fd >= 0 ? fd : null;
}

/** Writes one event as a JSON line to the job runner's progress descriptor, if there is one. */
export function emitProgressLine(event: ProgressEvent | { type: string; [key: string]: unknown }): void {
  const fd = progressFd();
  if (fd === null) return;
  try {
    writeSync(fd, JSON.stringify('type' in event ? event : { type: 'progress', ...event }) + '\n');
  } catch {
    // The runner went away; progress is best effort, the work itself goes on.
  }
}

/** What long-running work reports; the CLI draws it as a bar, the server streams it to clients. */
export interface ProgressEvent {
  /** Work units done so far (steps, files, notes). */
  done: number;
  total: number;
  /** Short label of the current phase, e.g. "rendering" or "training". */
  phase?: string;
  /** Extra figures shown beside the bar (losses, counts). */
  info?: Record<string, number | string>;
}

export type ProgressCallback = (event: ProgressEvent) => void;

export interface ProgressBarOptions {
  /** Draw nothing (tests, non-TTY CI logs still get a final summary line). */
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
}

/** A terminal progress bar with ETA, fed by ProgressEvents. */
export class ProgressBar {
  private bar: cliProgress.SingleBar | null = null;
  private readonly quiet: boolean;
  private readonly stream: NodeJS.WriteStream;
  private started = false;

  constructor(options: ProgressBarOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.quiet = options.quiet ?? false;
  }

  readonly update: ProgressCallback = (event) => {
    emitProgressLine(event);
    if (this.quiet) return;
    const info = event.info
      ? Object.entries(event.info)
          .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`)
          .join(' ')
      : '';
    const payload = { phase: event.phase ?? '', info };
    if (!this.started) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: '{phase} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} {info}',
          noTTYOutput: true,
          notTTYSchedule: 5000,
          etaBuffer: 50,
          hideCursor: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(event.total, event.done, payload);
      this.started = true;
    } else {
      this.bar!.setTotal(event.total);
      this.bar!.update(event.done, payload);
    }
  };

  stop(): void {
    if (this.bar) this.bar.stop();
    this.bar = null;
    this.started = false;
  }
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4);
}
