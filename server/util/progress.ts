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
  /** Milliseconds clock for the ETA (tests pass their own). */
  now?: () => number;
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
    this.now = options.now ?? Date.now;
  }

  private readonly now: () => number;

  readonly update: ProgressCallback = (event) => {
    emitProgressLine(event);
    if (this.quiet) return;
    const info = event.info
      ? Object.entries(event.info)
          .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`)
          .join(' ')
      : '';
    const payload = { phase: event.phase ?? '', info, etaText: this.eta(event) };
    if (!this.started) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: '{phase} [{bar}] {percentage}% | {value}/{total} | ETA {etaText} {info}',
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
    this.since = null;
  }

  /** Where the current phase started (time and count): the ETA is the average rate since then. */
  private since: { phase: string; at: number; done: number } | null = null;

  /**
   * Remaining time at the average rate since this phase started (a resumed run starts counting where it resumed;
   * cli-progress's own estimate read 0 while a step's extra events repeated the same count).
   */
  private eta(event: ProgressEvent): string {
    const phase = event.phase ?? '';
    const now = this.now();
    if (!this.since || this.since.phase !== phase || event.done < this.since.done) this.since = { phase, at: now, done: event.done };
    const doneSince = event.done - this.since.done;
    if (event.done >= event.total) return '0s';
    if (doneSince <= 0 || now === this.since.at) return '…';
    return formatSeconds(((now - this.since.at) / 1000 / doneSince) * (event.total - event.done));
  }
}

/** 3725 -> "1h02m", 125 -> "2m05s", 42 -> "42s". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4);
}
