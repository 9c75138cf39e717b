/**
 * The one job abstraction the API talks to. Two implementations: JobManager (child processes of this server, state
 * in JSON files; the default) and RedisJobRunner (server/scale/: BullMQ queues on Redis, `studio worker` processes
 * anywhere). Reads may answer at once or asynchronously; callers always await them.
 */
import type { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../util/errors.js';
import type { JobRequestParsed, JobView } from '../protocol.js';
import { isTrainingJob } from './job-commands.js';

/** 'progress' while running; 'state' on queued/running changes; 'done' and 'failed' once per run at its end. */
export type JobUpdateKind = 'progress' | 'state' | 'done' | 'failed';

export interface JobRunnerEvents {
  update: [job: JobView, kind: JobUpdateKind];
}

export interface JobRunner extends EventEmitter<JobRunnerEvents> {
  /** 'local': jobs run as children of this server; 'redis': on queue workers. */
  readonly mode: 'local' | 'redis';
  /** Problems found reading saved jobs (shown by /api/health). */
  readonly loadProblems: { path: string; message: string }[];
  list(): JobView[] | Promise<JobView[]>;
  get(id: string): JobView | Promise<JobView>;
  submit(request: JobRequestParsed): Promise<JobView>;
  /** A queued job ends at once; a running one is told to checkpoint and stop. */
  cancel(id: string): Promise<JobView>;
  /** Queues an ended job again (training continues from its checkpoint). */
  resume(id: string): Promise<JobView>;
  /** The last `maxBytes` of what the job printed. */
  readLog(id: string, maxBytes: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * Why `request` may not start now, or null: another unfinished job writes the same model, dataset or export, or a
 * new training run would overwrite an existing model folder. Both runners apply the same rule.
 */
export function jobConflict(unfinished: readonly JobView[], request: JobRequestParsed, output: JobView['output'], modelsDir: string): StudioError | null {
  const clash = unfinished.find(
    (j) =>
      (output.model && j.output.model === output.model) ||
      (output.dataset && j.output.dataset === output.dataset && j.type === request.type) ||
      (output.export && j.output.export === output.export),
  );
  if (clash) return new StudioError('CONFLICT', `job ${clash.id} (${clash.state}) already writes ${output.model ?? output.dataset ?? output.export}`);
  if (isTrainingJob(request.type) && output.model && !(request.options as { resume?: boolean }).resume) {
    if (existsSync(path.join(modelsDir, output.model))) {
      return new StudioError('CONFLICT', `model "${output.model}" already exists; choose another id, or pass "resume": true to train it further`);
    }
  }
  return null;
}
