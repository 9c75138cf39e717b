/**
 * How studio jobs live in BullMQ: which queue each job type goes to, what a queued job carries (its data) and
 * reports (its progress object), and the retry policy. Shared by the server (RedisJobRunner) and `studio worker`.
 */
import type { JobProgress, JobRequestParsed, JobType, JobView } from '../protocol.js';
import { StudioError } from '../util/errors.js';

/** `--queues train,render`: training (long, checkpointed), dataset builds, renders (short, many). */
export const QUEUE_NAMES = ['train', 'data', 'render'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Key prefix of every BullMQ key the studio writes (several studios can share one Redis with another prefix). */
export const DEFAULT_QUEUE_PREFIX = 'studio';
/** Pub/sub channel on which servers ask workers to stop a running job (message: the job id). */
export const cancelChannel = (prefix: string) => `${prefix}:cancel`;

export function queueOfType(type: JobType): QueueName {
  switch (type) {
    case 'train-notes':
    case 'train-loops':
      return 'train';
    case 'data-notes':
    case 'data-loops':
      return 'data';
    case 'render-instrument':
    case 'render-loops':
      return 'render';
  }
}

export function parseQueueList(raw: string): QueueName[] {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(QUEUE_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new StudioError('BAD_INPUT', `--queues takes a comma-separated list of ${QUEUE_NAMES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  return [...new Set(names)] as QueueName[];
}

/** A queued job's data: the validated request, what it writes, and flags the server sets later. */
export interface QueuedJobData {
  request: JobRequestParsed;
  output: JobView['output'];
  createdAt: string;
  /** Set by DELETE /api/jobs/:id; a worker that picks the job up ends it at once. */
  cancelRequested?: boolean;
  /** Set by job:resume: continue training from the checkpoint. */
  resume?: boolean;
}

/** What a worker publishes through job.updateProgress (a JobView's live part). */
export interface QueuedJobProgress {
  progress: JobProgress | null;
  losses: Record<string, number>;
  lossHistory: JobView['lossHistory'];
  etaSeconds: number | null;
  rate: number | null;
  previews: string[];
  logTail: string[];
  /** host:pid of the worker and the child process running the job (to find an orphan on the same host). */
  worker: string;
  childPid: number | null;
  /** The run (attemptsStarted) this progress belongs to. */
  run: number;
}

/** failedReason of a job whose request did not validate (shown with code BAD_INPUT). */
export const BAD_REQUEST_PREFIX = 'bad job request: ';

/** Reason a cancelled job fails with (shown as state "cancelled"). */
export const CANCELLED_REASON = 'cancelled by request';

export interface RetryPolicy {
  /** Runs in all (a stalled run, a crash or a failure each use one). */
  attempts: number;
  /** First wait before a retry; doubles each time. */
  backoffMs: number;
  /** Finished jobs kept in Redis for GET /api/jobs. */
  keepFinished: number;
}

export const retryPolicyDefaults: RetryPolicy = { attempts: 3, backoffMs: 10_000, keepFinished: 1000 };
