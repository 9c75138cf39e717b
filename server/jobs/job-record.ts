/**
 * A job as the server keeps it: the public view (protocol JobView) plus what only the runner needs.
 * One JSON file per job under the state directory holds exactly this.
 */
import { randomBytes } from 'node:crypto';
import type { JobView, JobType, JobState } from '../protocol.js';

export interface JobRecord extends JobView {
  /** Process id of the running child (to stop an orphan after a server crash). */
  pid: number | null;
  /** The command line of the last run, for the log and for people. */
  lastArgv: string[];
  cancelRequested: boolean;
}

export const FINISHED_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

export function isFinished(state: JobState): boolean {
  return FINISHED_STATES.includes(state);
}

/** Sortable, lowercase, unguessable enough for a local server: time in base 36 plus 6 random hex digits. */
export function newJobId(now = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function newJobRecord(type: JobType, options: Record<string, unknown>, output: JobView['output']): JobRecord {
  return {
    id: newJobId(),
    type,
    options,
    state: 'queued',
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    progress: null,
    losses: {},
    lossHistory: [],
    etaSeconds: null,
    rate: null,
    previews: [],
    output,
    error: null,
    logTail: [],
    resumable: false,
    pid: null,
    lastArgv: [],
    cancelRequested: false,
  };
}

export function toJobView(record: JobRecord): JobView {
  const { pid: _pid, lastArgv: _argv, cancelRequested: _cancel, ...view } = record;
  return structuredClone(view);
}
