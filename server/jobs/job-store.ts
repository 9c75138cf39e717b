/**
 * Job state on disk: one JSON file per job (`<stateDir>/<id>.json`, written atomically) and one append-only log
 * (`<id>.log`) of what the job printed. A damaged file is reported and skipped; it never stops the others loading.
 */
import { promises as fs, createWriteStream, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { StudioError, describeThrown } from '../util/errors.js';
import { JOB_STATES, JOB_TYPES } from '../protocol.js';
import type { JobRecord } from './job-record.js';

const JOB_FILE = /^([a-z0-9-]{1,64})\.json$/;

export interface LoadedJobs {
  jobs: JobRecord[];
  problems: { path: string; message: string }[];
}

export class JobStore {
  constructor(readonly dir: string) {}

  async loadAll(): Promise<LoadedJobs> {
    await fs.mkdir(this.dir, { recursive: true });
    const jobs: JobRecord[] = [];
    const problems: LoadedJobs['problems'] = [];
    for (const name of (await fs.readdir(this.dir)).sort()) {
      const match = JOB_FILE.exec(name);
      if (!match) continue;
      const file = path.join(this.dir, name);
      try {
        jobs.push(parseJobFile(await fs.readFile(file, 'utf8'), file, match[1]!));
      } catch (err) {
        problems.push({ path: file, message: describeThrown(err) });
      }
    }
    jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return { jobs, problems };
  }

  save(job: JobRecord): Promise<void> {
    return writeFileAtomic(path.join(this.dir, `${job.id}.json`), JSON.stringify(job, null, 1) + '\n');
  }

  logPath(id: string): string {
    return path.join(this.dir, `${id}.log`);
  }

  openLog(id: string): WriteStream {
    return createWriteStream(this.logPath(id), { flags: 'a' });
  }
}

function parseJobFile(text: string, file: string, id: string): JobRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StudioError('BAD_FILE', `${file} is not valid JSON: ${describeThrown(err)}`);
  }
  const job = value as Partial<JobRecord> | null;
  if (!job || typeof job !== 'object') throw new StudioError('BAD_FILE', `${file}: not a job object`);
  if (job.id !== id) throw new StudioError('BAD_FILE', `${file}: its id "${String(job.id)}" does not match the file name`);
  if (!JOB_TYPES.includes(job.type as never)) throw new StudioError('BAD_FILE', `${file}: unknown job type "${String(job.type)}"`);
  if (!JOB_STATES.includes(job.state as never)) throw new StudioError('BAD_FILE', `${file}: unknown job state "${String(job.state)}"`);
  if (typeof job.createdAt !== 'string' || !job.options || typeof job.options !== 'object') {
    throw new StudioError('BAD_FILE', `${file}: missing createdAt or options`);
  }
  // Fill fields an older file may lack, so the rest of the server can trust the shape.
  return {
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    progress: null,
    losses: {},
    lossHistory: [],
    etaSeconds: null,
    rate: null,
    previews: [],
    output: {},
    error: null,
    logTail: [],
    resumable: false,
    pid: null,
    lastArgv: [],
    cancelRequested: false,
    ...job,
  } as JobRecord;
}
