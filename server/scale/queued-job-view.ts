/**
 * A BullMQ job as the API shows it: the same JobView one-machine mode gives, so clients cannot tell the modes apart.
 */
import type { Job, JobState as BullState } from 'bullmq';
import { JOB_TYPES, type JobState, type JobType, type JobView } from '../protocol.js';
import { BAD_REQUEST_PREFIX, CANCELLED_REASON, type QueuedJobData, type QueuedJobProgress } from './queues.js';

export function jobStateOf(bullState: BullState | 'unknown', failedReason: string | undefined): JobState {
  switch (bullState) {
    case 'active':
      return 'running';
    case 'completed':
      return 'succeeded';
    case 'failed':
      return failedReason === CANCELLED_REASON ? 'cancelled' : 'failed';
    default:
      // waiting, delayed (a retry's backoff), prioritized, waiting-children, unknown (being moved)
      return 'queued';
  }
}

export function queuedJobView(job: Job<QueuedJobData>, bullState: BullState | 'unknown'): JobView {
  const data = (job.data ?? {}) as Partial<QueuedJobData>;
  const live = (job.progress && typeof job.progress === 'object' ? job.progress : {}) as Partial<QueuedJobProgress>;
  const state = jobStateOf(bullState, job.failedReason);
  const type = [data.request?.type, job.name].find((t): t is JobType => (JOB_TYPES as readonly unknown[]).includes(t)) ?? (String(job.name) as JobType);
  const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);
  const error =
    state === 'failed'
      ? { code: job.failedReason?.startsWith(BAD_REQUEST_PREFIX) ? ('BAD_INPUT' as const) : ('INTERNAL' as const), message: job.failedReason || 'the job failed' }
      : null;
  return {
    id: String(job.id),
    type,
    options: (data.request?.options ?? {}) as Record<string, unknown>,
    state,
    createdAt: data.createdAt ?? new Date(job.timestamp).toISOString(),
    startedAt: iso(job.processedOn),
    finishedAt: state === 'queued' || state === 'running' ? null : iso(job.finishedOn),
    attempts: job.attemptsStarted ?? 0,
    progress: live.progress ?? null,
    losses: live.losses ?? {},
    lossHistory: live.lossHistory ?? [],
    etaSeconds: state === 'succeeded' ? 0 : state === 'running' ? (live.etaSeconds ?? null) : null,
    rate: state === 'running' ? (live.rate ?? null) : null,
    previews: live.previews ?? [],
    output: data.output ?? {},
    error,
    logTail: live.logTail ?? [],
    resumable: state === 'failed' || state === 'cancelled',
    worker: job.processedBy ?? live.worker ?? null,
  };
}
