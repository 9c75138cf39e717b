/**
 * Turns the ProgressEvents a job prints (JSON lines) into what a client shows: progress, latest losses, a short
 * loss history, work rate and ETA. The rate is measured over a sliding window of the last minute.
 */
import type { JobProgress, JobView } from '../protocol.js';

const WINDOW_MS = 60_000;
const HISTORY_POINTS = 200;

export interface ProgressUpdate {
  progress: JobProgress;
  losses: Record<string, number>;
  /** A new loss point (when the event carried losses at a new step). */
  lossPoint: ({ step: number } & Record<string, number>) | null;
  rate: number | null;
  etaSeconds: number | null;
}

export class ProgressTracker {
  private samples: { atMs: number; done: number }[] = [];
  private lastTotal: number | null = null;

  /** Reads one event; returns null for events that are not progress (or are malformed). */
  read(event: Record<string, unknown>, nowMs = Date.now()): ProgressUpdate | null {
    if (event.type !== undefined && event.type !== 'progress') return null;
    const done = event.done;
    const total = event.total;
    if (typeof done !== 'number' || typeof total !== 'number' || !Number.isFinite(done) || !Number.isFinite(total)) return null;
    const phase = typeof event.phase === 'string' ? event.phase.slice(0, 80) : null;
    const info = sanitizeInfo(event.info);
    const last = this.samples[this.samples.length - 1];
    if (total !== this.lastTotal || (last && done < last.done)) {
      // Another count (files loaded, then steps trained) or a restart: the rate starts afresh. Phases that share
      // a count (training, checkpoint) share the rate, so checkpoint time is part of the ETA.
      this.samples = [];
      this.lastTotal = total;
    }
    this.samples.push({ atMs: nowMs, done });
    while (this.samples.length > 2 && nowMs - this.samples[0]!.atMs > WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (nowMs - first.atMs) / 1000;
    const rate = seconds > 0 && done > first.done ? (done - first.done) / seconds : null;
    const etaSeconds = rate && total >= done ? Math.round((total - done) / rate) : null;

    // Trainers name their figures freely (D, G, W, d_loss, pitchAcc...): every number counts as a training figure.
    const losses: Record<string, number> = {};
    for (const [key, value] of Object.entries(info)) if (typeof value === 'number') losses[key] = value;
    const lossPoint = Object.keys(losses).length > 0 ? { step: done, ...losses } : null;
    return { progress: { done, total, phase, info }, losses, lossPoint, rate, etaSeconds };
  }

  /** Applies an update to a job view (in place). */
  static apply(job: JobView, update: ProgressUpdate): void {
    job.progress = update.progress;
    if (Object.keys(update.losses).length > 0) job.losses = update.losses;
    if (update.lossPoint) {
      const last = job.lossHistory[job.lossHistory.length - 1];
      if (!last || last.step !== update.lossPoint.step) job.lossHistory.push(update.lossPoint);
      if (job.lossHistory.length > HISTORY_POINTS) job.lossHistory.splice(0, job.lossHistory.length - HISTORY_POINTS);
    }
    job.rate = update.rate === null ? null : Math.round(update.rate * 1000) / 1000;
    job.etaSeconds = update.etaSeconds;
  }
}

/** Keeps at most 32 figures with short names and finite numbers or short strings. */
function sanitizeInfo(info: unknown): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  if (!info || typeof info !== 'object' || Array.isArray(info)) return out;
  for (const [key, value] of Object.entries(info).slice(0, 32)) {
    if (key.length > 40) continue;
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
    else if (typeof value === 'string') out[key] = value.slice(0, 120);
  }
  return out;
}
