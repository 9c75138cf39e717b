/**
 * Sends job updates to the sockets subscribed to them: job:progress at most every `intervalMs` per job (the latest
 * state always goes out, a burst of progress lines is not replayed), job:done / job:failed at once.
 */
import type { JobView } from '../protocol.js';
import type { JobUpdateKind } from '../jobs/job-manager.js';

export type JobEventName = 'job:progress' | 'job:done' | 'job:failed';

export class JobBroadcast {
  private readonly lastSent = new Map<string, number>();
  private readonly trailing = new Map<string, { timer: NodeJS.Timeout; job: JobView }>();

  constructor(
    private readonly emit: (id: string, event: JobEventName, job: JobView) => void,
    private readonly intervalMs = 250,
  ) {}

  send(job: JobView, kind: JobUpdateKind): void {
    if (kind === 'done' || kind === 'failed') {
      this.cancelTrailing(job.id);
      this.lastSent.delete(job.id);
      this.emit(job.id, kind === 'done' ? 'job:done' : 'job:failed', job);
      return;
    }
    const now = Date.now();
    const last = this.lastSent.get(job.id) ?? 0;
    if (now - last >= this.intervalMs) {
      this.cancelTrailing(job.id);
      this.lastSent.set(job.id, now);
      this.emit(job.id, 'job:progress', job);
      return;
    }
    const pending = this.trailing.get(job.id);
    if (pending) {
      pending.job = job;
      return;
    }
    const timer = setTimeout(() => {
      const latest = this.trailing.get(job.id);
      this.trailing.delete(job.id);
      if (!latest) return;
      this.lastSent.set(job.id, Date.now());
      this.emit(job.id, 'job:progress', latest.job);
    }, this.intervalMs - (now - last));
    this.trailing.set(job.id, { timer, job });
  }

  close(): void {
    for (const id of [...this.trailing.keys()]) this.cancelTrailing(id);
  }

  private cancelTrailing(id: string): void {
    const pending = this.trailing.get(id);
    if (pending) clearTimeout(pending.timer);
    this.trailing.delete(id);
  }
}
