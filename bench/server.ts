/**
 * `npm run bench -- server [options]`: the studio server under load. 10 and 50 socket clients ask for notes and
 * for loops, each for a fixed time; then (with a training job running) the server's event-loop delay is measured
 * while clients keep asking for notes. Prints JSON: requests/s, p50/p95/p99 latency, the server's own event-loop
 * delay (perf_hooks histogram, from GET /api/stats), peak memory, batch sizes; and the two targets.
 * Options: --seconds N (per scenario, default 10)  --clients 10,50  --kinds notes,loops  --models DIR (repeatable)
 *          --note-model ID  --loop-model ID  --no-train  --train-seconds N (default 20)  --workers N (inference threads)
 *          --train-job JSON (default: train-notes, preset lite, on audio-data/notes-default)
 */
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultModelsDir } from '../server/checkpoints/resolve.js';
import { servedInferenceWorkers } from '../server/registry/inference-pool.js';
import type { JobView, ModelSummary } from '../server/protocol.js';
import type { StatsSnapshot } from '../server/api/server-stats.js';
import { runLoad, percentile, type LoadResult } from './server-load/clients.js';
import { startServerProcess, type ServerProcess } from './server-load/server-process.js';

interface BenchOptions {
  seconds: number;
  clients: number[];
  kinds: ('notes' | 'loops')[];
  models: string[];
  noteModel?: string;
  loopModel?: string;
  train: boolean;
  trainJob: string;
  trainSeconds: number;
  workers: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function parse(args: string[]): BenchOptions {
  const program = new Command('server')
    .option('--seconds <n>', 'seconds per scenario', '10')
    .option('--clients <list>', 'concurrent socket clients per scenario', '10,50')
    .option('--kinds <list>', 'what the clients ask for', 'notes,loops')
    .option('--models <dir>', 'a folder of models to serve (repeatable; default models/)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--note-model <id>', 'note model to ask for (default: notes-default, else the first)')
    .option('--loop-model <id>', 'loop model to ask for (default: loops-default, else the first)')
    .option('--no-train', 'skip the measurement while a model trains')
    .option('--train-seconds <n>', 'seconds measured while the model trains', '20')
    .option('--workers <n>', 'inference threads of the server (serve --inference-workers; default: as serve)', String(servedInferenceWorkers()))
    .option('--train-job <json>', 'the job to run meanwhile', JSON.stringify({ type: 'train-notes', options: { model: 'bench-train', preset: 'lite', steps: 1_000_000 } }))
    .exitOverride();
  program.parse(args, { from: 'user' });
  const o = program.opts<{ seconds: string; clients: string; kinds: string; models: string[]; noteModel?: string; loopModel?: string; train: boolean; trainJob: string; trainSeconds: string; workers: string }>();
  return {
    seconds: Number(o.seconds),
    clients: o.clients.split(',').map(Number),
    kinds: o.kinds.split(',') as BenchOptions['kinds'],
    models: o.models.length ? o.models.map((d) => path.resolve(d)) : [defaultModelsDir()],
    noteModel: o.noteModel,
    loopModel: o.loopModel,
    train: o.train,
    trainJob: o.trainJob,
    trainSeconds: Number(o.trainSeconds),
    workers: Number(o.workers),
  };
}

export async function main(args: string[]): Promise<unknown> {
  const options = parse(args);
  const workDir = mkdtempSync(path.join(tmpdir(), 'studio-bench-server-'));
  const server = await startServerProcess({ modelsDirs: options.models, workDir, rate: 1e6, inferenceWorkers: options.workers });
  log(`server at ${server.url}`);
  try {
    const models = (await getJson(`${server.url}/api/models`)) as ModelSummary[];
    const noteModel = pickModel(models, 'notes', options.noteModel);
    const loopModel = pickModel(models, 'loops', options.loopModel);
    const chosen = { notes: noteModel, loops: loopModel };
    const scenarios: Record<string, unknown>[] = [];
    for (const kind of options.kinds) {
      const model = chosen[kind];
      if (!model) {
        scenarios.push({ kind, skipped: `no ${kind} model in ${options.models.join(', ')}` });
        continue;
      }
      const failure = await warmUp(server, kind, model.id);
      if (failure) {
        scenarios.push({ kind, model: model.id, error: `warm-up requests failed: ${failure}` });
        continue;
      }
      for (const clients of options.clients) {
        log(`${kind}: ${clients} clients for ${options.seconds} s`);
        scenarios.push({ kind, model: model.id, preset: model.preset, ...(await measure(server, kind, model.id, clients, options.seconds)) });
      }
    }
    const whileTraining = options.train ? await measureWhileTraining(server, options, noteModel?.id ?? null) : { skipped: '--no-train' };
    const health = (await getJson(`${server.url}/api/health`)) as { backend: string | null; version: string };
    return {
      server: { version: health.version, backend: health.backend, inferenceWorkers: options.workers, noteModel: noteModel?.id ?? null, loopModel: loopModel?.id ?? null, secondsPerScenario: options.seconds },
      scenarios,
      whileTraining,
      targets: targets(scenarios, whileTraining),
    };
  } finally {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

type Kind = 'notes' | 'loops';

function pickModel(models: ModelSummary[], kind: Kind, wanted?: string): ModelSummary | null {
  const ofKind = models.filter((m) => m.kind === kind);
  if (wanted) return ofKind.find((m) => m.id === wanted) ?? null;
  return ofKind.find((m) => m.id === `${kind}-default`) ?? ofKind[0] ?? null;
}

function requestFor(kind: Kind, model: string, client: number, n: number): { event: string; payload: unknown } {
  // Spread pitches and seeds so batching cannot lean on identical requests.
  const seed = (client * 7919 + n * 104729) % 2 ** 31;
  return kind === 'notes'
    ? { event: 'note:generate', payload: { model, pitch: 24 + ((client * 13 + n * 5) % 61), seed } }
    : { event: 'loop:generate', payload: { model, bars: 4, tempo: 120, seed } };
}

/** Loads the model and warms the threads up; returns the error when no request succeeded. */
async function warmUp(server: ServerProcess, kind: Kind, model: string): Promise<string | null> {
  const load = await runLoad({ url: server.url, clients: 2, seconds: 1.5, next: (c, n) => requestFor(kind, model, c, n) });
  return load.errors === load.requests ? (load.errorSamples[0] ?? 'no answer') : null;
}

async function measure(server: ServerProcess, kind: Kind, model: string, clients: number, seconds: number): Promise<LoadResult & { server: StatsSnapshot }> {
  await getJson(`${server.url}/api/stats?reset=1`);
  const load = await runLoad({ url: server.url, clients, seconds, next: (c, n) => requestFor(kind, model, c, n) });
  const stats = (await getJson(`${server.url}/api/stats`)) as StatsSnapshot;
  return { ...load, server: stats };
}

/**
 * Starts a training job, waits until it reports progress (it is computing), then measures the event loop while
 * 10 clients ask for notes (when there is a note model) and a health probe pings every 100 ms.
 */
async function measureWhileTraining(server: ServerProcess, options: BenchOptions, noteModel: string | null): Promise<Record<string, unknown>> {
  const started = await postJson(`${server.url}/api/jobs`, JSON.parse(options.trainJob));
  if (started.status !== 201) return { error: `the training job was refused: ${JSON.stringify(started.body)}` };
  const id = (started.body as JobView).id;
  log(`training job ${id}: waiting for its first progress`);
  const deadline = Date.now() + 180_000;
  let job = started.body as JobView;
  // Past loading its data and its first step: the job is computing training steps.
  const training = (j: JobView) => j.state === 'running' && /train/i.test(j.progress?.phase ?? '') && (j.progress?.done ?? 0) >= 1;
  while (Date.now() < deadline && !training(job)) {
    if (job.state !== 'queued' && job.state !== 'running') return { job: summary(job), error: `the training job ended: ${job.error?.message ?? job.state}` };
    await sleep(500);
    job = (await getJson(`${server.url}/api/jobs/${id}`)) as JobView;
  }
  if (!training(job)) return { job: summary(job), error: 'the training job reported no training step within 180 s' };
  const stepsBefore = job.progress!.done;
  await getJson(`${server.url}/api/stats?reset=1`);
  const pings: number[] = [];
  let pinging = true;
  const pinger = (async () => {
    while (pinging) {
      const t0 = performance.now();
      await getJson(`${server.url}/api/health`);
      pings.push(performance.now() - t0);
      await sleep(100);
    }
  })();
  const seconds = options.trainSeconds;
  const load = noteModel ? await runLoad({ url: server.url, clients: 10, seconds, next: (c, n) => requestFor('notes', noteModel, c, n) }) : (await sleep(seconds * 1000), null);
  pinging = false;
  await pinger;
  const stats = (await getJson(`${server.url}/api/stats`)) as StatsSnapshot;
  job = (await getJson(`${server.url}/api/jobs/${id}`)) as JobView;
  await fetch(`${server.url}/api/jobs/${id}`, { method: 'DELETE' });
  pings.sort((a, b) => a - b);
  return {
    job: { ...summary(job), stepsDuringWindow: (job.progress?.done ?? stepsBefore) - stepsBefore },
    eventLoopDelayMs: stats.eventLoopDelayMs,
    healthPingMs: { p50: round(percentile(pings, 50)), p99: round(percentile(pings, 99)), max: round(pings[pings.length - 1] ?? 0) },
    notes: load,
    peakRssMb: stats.memory.peakRssMb,
  };
}

function summary(job: JobView): Record<string, unknown> {
  return { id: job.id, type: job.type, state: job.state, progress: job.progress, rate: job.rate };
}

function targets(scenarios: Record<string, unknown>[], whileTraining: Record<string, unknown>): Record<string, unknown> {
  const notes10 = scenarios.find((s) => s.kind === 'notes' && s.clients === 10) as (LoadResult & { preset: string }) | undefined;
  const p99 = (whileTraining.eventLoopDelayMs as StatsSnapshot['eventLoopDelayMs'] | undefined)?.p99;
  return {
    noteP95Under100MsWith10Clients: notes10 ? { preset: notes10.preset, p95Ms: notes10.latencyMs.p95, met: notes10.latencyMs.p95 < 100 } : null,
    eventLoopP99Under50MsWhileTraining: p99 === undefined ? null : { p99Ms: p99, met: p99 < 50 },
  };
}

async function getJson(url: string): Promise<unknown> {
  return (await fetch(url)).json();
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
