/**
 * `npm run bench -- scale [options]`: jobs on BullMQ workers over a real Redis (a redis-server started here on a
 * free loopback port) against the one-machine job runner.
 *  - overhead: the same trivial job (/bin/true, a process that exits at once) run one at a time, submit -> done, through
 *    the in-process JobManager and through RedisJobRunner + one QueueWorker; the difference per job is what the
 *    queue costs (the target: under 5 ms).
 *  - throughput: `--jobs` real render-instrument jobs (61 notes each by default) submitted at once, run by 1, 2 and
 *    4 workers: jobs/s, wall time, and whether every job succeeded (nothing lost).
 * Options: --workers 1,2,4  --jobs N (default 4)  --overhead-jobs N (default 20)  --model ID|DIR (a note model;
 *          default notes-default, else the test fixture notes-tiny)  --pitches 24-84
 */
import { Command } from 'commander';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultModelsDir } from '../server/checkpoints/resolve.js';
import { JobManager } from '../server/jobs/job-manager.js';
import { JobProcess } from '../server/jobs/job-process.js';
import type { JobRunner } from '../server/jobs/job-runner.js';
import type { JobDirectories } from '../server/jobs/job-commands.js';
import type { JobRequestParsed, JobView } from '../server/protocol.js';
import { jobRequestSchema } from '../server/protocol.js';
import { RedisJobRunner } from '../server/scale/redis-job-runner.js';
import { QueueWorker } from '../server/scale/queue-worker.js';
import { studioLauncher } from '../server/jobs/studio-command.js';
import { projectRoot } from '../server/util/version.js';
import { startRedis } from '../test/scale/redis-server.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface ScaleOptions {
  workers: number[];
  jobs: number;
  overheadJobs: number;
  model: string;
  pitches: [number, number];
}

function parse(args: string[]): ScaleOptions {
  const program = new Command('scale')
    .option('--workers <list>', 'worker counts to measure', '1,2,4')
    .option('--jobs <n>', 'render jobs per worker count (0: overhead only)', '4')
    .option('--overhead-jobs <n>', 'trivial jobs per mode for the overhead figure', '20')
    .option('--model <id|dir>', 'note model to render from')
    .option('--pitches <from-to>', 'pitch range of each instrument', '24-84')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const o = program.opts<{ workers: string; jobs: string; overheadJobs: string; model?: string; pitches: string }>();
  const fallback = [path.join(defaultModelsDir(), 'notes-default'), path.join(projectRoot(), 'test-artifacts', 'fixtures', 'models', 'notes-tiny')].find((d) => existsSync(path.join(d, 'metadata.json')));
  const model = o.model ? (o.model.includes('/') ? path.resolve(o.model) : path.join(defaultModelsDir(), o.model)) : fallback;
  if (!model) throw new Error('no note model: pass --model ID|DIR (or train models/notes-default)');
  const [from, to] = o.pitches.split('-').map(Number) as [number, number];
  return { workers: o.workers.split(',').map(Number), jobs: Number(o.jobs), overheadJobs: Number(o.overheadJobs), model, pitches: [from, to] };
}

/** Submits the jobs at once and resolves with each job's submit -> done time once all have ended. */
async function runAll(runner: JobRunner, requests: JobRequestParsed[]): Promise<{ wallMs: number; latencies: number[]; states: string[] }> {
  const started = new Map<string, number>();
  const ended = new Map<string, { ms: number; state: string }>();
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const onUpdate = (job: JobView, kind: string) => {
    if ((kind === 'done' || kind === 'failed') && started.has(job.id) && !ended.has(job.id)) {
      ended.set(job.id, { ms: performance.now() - started.get(job.id)!, state: job.state });
      if (ended.size === requests.length) resolveAll();
    }
  };
  runner.on('update', onUpdate);
  const t0 = performance.now();
  for (const request of requests) {
    const at = performance.now();
    const view = await runner.submit(request);
    started.set(view.id, at);
  }
  await all;
  runner.off('update', onUpdate);
  return { wallMs: performance.now() - t0, latencies: [...ended.values()].map((e) => e.ms), states: [...ended.values()].map((e) => e.state) };
}

/** One job at a time: the per-job time is the runner's overhead plus a constant process start. */
async function sequential(runner: JobRunner, count: number, tag: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const request = jobRequestSchema.parse({ type: 'render-loops', options: { model: 'none', name: `${tag}-${i}` } });
    const { latencies: [ms] } = await runAll(runner, [request]);
    latencies.push(ms!);
  }
  return latencies;
}

const round = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function main(args: string[]): Promise<unknown> {
  const options = parse(args);
  const root = mkdtempSync(path.join(tmpdir(), 'studio-bench-scale-'));
  const directories: Required<JobDirectories> = {
    modelsDir: path.join(root, 'models'), audioDataDir: path.join(root, 'audio'), midiDataDir: path.join(root, 'midi'), exportsDir: path.join(root, 'exports'),
  };
  cpSync(options.model, path.join(directories.modelsDir, 'bench-notes'), { recursive: true });
  const redis = await startRedis();
  const quiet = () => undefined;
  const result: Record<string, unknown> = { model: options.model, pitches: options.pitches, cores: (await import('node:os')).availableParallelism() };
  try {
    // ---- overhead: a trivial job (/bin/true: a process that exits at once) through both runners
    const trivial = ['/bin/true'];
    log(`overhead: ${options.overheadJobs} trivial jobs one at a time, in-process`);
    const local = await JobManager.open({ stateDir: path.join(root, 'state'), directories, launcher: trivial, niceness: 0 });
    const localMs = await sequential(local, options.overheadJobs, 'local');
    log('overhead: the bare process (JobProcess, no runner)');
    const bareMs: number[] = [];
    for (let i = 0; i < options.overheadJobs; i++) {
      const t0 = performance.now();
      await new JobProcess({ argv: trivial, jobId: `bare-${i}`, cwd: root, niceness: 0, onProgress: () => undefined, onOutputLine: () => undefined }).exited;
      bareMs.push(performance.now() - t0);
    }
    await local.close();
    log('overhead: the same through BullMQ');
    const queued = await RedisJobRunner.open({ redisUrl: redis.url, directories, prefix: 'bench-overhead', log: quiet });
    const worker = await QueueWorker.start({ redisUrl: redis.url, directories, launcher: trivial, niceness: 0, prefix: 'bench-overhead', log: quiet, progressEveryMs: 0 });
    const queueMs = await sequential(queued, options.overheadJobs, 'queued');
    await worker.close();
    await queued.close();
    result.overhead = {
      jobs: options.overheadJobs,
      bareProcessMedianMs: round(median(bareMs)),
      inProcessMeanMs: round(mean(localMs)), inProcessMedianMs: round(median(localMs)),
      queueMeanMs: round(mean(queueMs)), queueMedianMs: round(median(queueMs)),
      // Medians, submit -> done event: what each runner adds to running the process itself.
      inProcessRunnerMsPerJob: round(median(localMs) - median(bareMs)),
      queueRunnerMsPerJob: round(median(queueMs) - median(bareMs)),
      queueVersusInProcessMsPerJob: round(median(queueMs) - median(localMs)),
      targetMs: 5,
    };
    log(`overhead: ${JSON.stringify(result.overhead)}`);

    // ---- throughput of real renders with 1, 2, 4 workers
    const throughput: Record<string, unknown>[] = [];
    for (const count of options.jobs > 0 ? options.workers : []) {
      const prefix = `bench-w${count}`;
      const runner = await RedisJobRunner.open({ redisUrl: redis.url, directories, prefix, log: quiet });
      const workers = await Promise.all(Array.from({ length: count }, () => QueueWorker.start({ redisUrl: redis.url, directories, queues: ['render'], launcher: studioLauncher(), niceness: 0, prefix, log: quiet })));
      const requests = Array.from({ length: options.jobs }, (_, i) =>
        jobRequestSchema.parse({ type: 'render-instrument', options: { model: 'bench-notes', seed: i, pitchRange: { min: options.pitches[0], max: options.pitches[1] }, name: `w${count}-i${i}` } }),
      );
      log(`throughput: ${options.jobs} instruments (${options.pitches[1] - options.pitches[0] + 1} notes each) on ${count} worker(s)`);
      const run = await runAll(runner, requests);
      await Promise.all(workers.map((w) => w.close()));
      await runner.close();
      const entry = {
        workers: count, jobs: options.jobs, wallSeconds: round(run.wallMs / 1000), jobsPerSecond: Math.round((options.jobs / run.wallMs) * 1e6) / 1e3,
        medianJobSeconds: round(median(run.latencies) / 1000), succeeded: run.states.filter((s) => s === 'succeeded').length, lost: options.jobs - run.states.length,
      };
      log(`throughput: ${JSON.stringify(entry)}`);
      throughput.push(entry);
    }
    result.throughput = throughput;
    return result;
  } finally {
    await redis.remove();
    rmSync(root, { recursive: true, force: true });
  }
}
