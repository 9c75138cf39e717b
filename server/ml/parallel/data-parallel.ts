/**
 * Data-parallel training on one machine: the main thread runs replica 0 and worker threads run the others,
 * each on its own backend instance (tfjs' wasm backend computes on one thread in Node), averaging gradients
 * through shared memory after each phase. Replicas stay bit-identical, so replica 0's parameters are the model.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backendInfo, initBackend, type BackendName } from '../backend.js';
import { StudioError } from '../../util/errors.js';
import { GradientExchange, allocateExchange } from './gradient-exchange.js';
import { runIteration, type ReplicaModule, type TrainingReplica } from './replica.js';
import type { ReplicaCommand, ReplicaReply, ReplicaWorkerData } from './replica-worker.js';

export interface DataParallelOptions {
  /** Path or file URL of a module exporting `createReplica` (a ReplicaModule). */
  module: string;
  /** Passed to `createReplica` in every thread (structured-clonable). */
  options: unknown;
  /** Replicas, the main thread included (1 = no workers). */
  parties: number;
  /** Backend of every replica; defaults to the one initBackend chose. */
  backend?: BackendName;
}

export class DataParallelTrainer {
  private constructor(
    /** The main thread's replica; its parameters are the trained model. */
    readonly replica: TrainingReplica,
    private readonly exchange: GradientExchange | null,
    private readonly workers: Worker[],
    private readonly pending: Map<Worker, { resolve: (r: ReplicaReply) => void; reject: (e: Error) => void }>,
  ) {}

  static async start(o: DataParallelOptions): Promise<DataParallelTrainer> {
    if (!Number.isInteger(o.parties) || o.parties < 1) throw new StudioError('BAD_INPUT', `parties must be a positive integer, got ${o.parties}`);
    const backend = o.backend ?? (await initBackend()).name;
    if (backendInfo()?.name !== backend) await initBackend({ backend });
    const moduleUrl = o.module.startsWith('file:') ? o.module : pathToFileURL(path.resolve(o.module)).href;
    const mod = (await import(moduleUrl)) as ReplicaModule;
    const replica = await mod.createReplica(o.options, { rank: 0, parties: o.parties });
    if (o.parties === 1) return new DataParallelTrainer(replica, null, [], new Map());

    const buffers = allocateExchange(o.parties, replica.gradientFloats() + 16);
    const exchange = new GradientExchange(buffers, 0, o.parties);
    const here = fileURLToPath(import.meta.url);
    const workerFile = path.join(path.dirname(here), `replica-worker${path.extname(here)}`);
    const pending = new Map<Worker, { resolve: (r: ReplicaReply) => void; reject: (e: Error) => void }>();
    const workers: Worker[] = [];
    const ready: Promise<ReplicaReply>[] = [];
    for (let rank = 1; rank < o.parties; rank++) {
      const workerData: ReplicaWorkerData = { moduleUrl, options: o.options, rank, parties: o.parties, backend, buffers };
      const worker = spawnWorker(workerFile, workerData);
      workers.push(worker);
      ready.push(new Promise((resolve, reject) => pending.set(worker, { resolve, reject })));
      worker.on('message', (reply: ReplicaReply) => {
        const waiter = pending.get(worker);
        pending.delete(worker);
        if (!waiter) return;
        if (reply.type === 'error') waiter.reject(new StudioError('INTERNAL', `replica ${rank}: ${reply.message}`));
        else waiter.resolve(reply);
      });
      worker.on('error', (err) => {
        exchange.abort();
        pending.get(worker)?.reject(err);
        pending.delete(worker);
      });
    }
    const trainer = new DataParallelTrainer(replica, exchange, workers, pending);
    try {
      await Promise.all(ready);
    } catch (err) {
      await trainer.close();
      throw err;
    }
    return trainer;
  }

  get parties(): number {
    return this.workers.length + 1;
  }

  /** One iteration on every replica; returns the losses averaged over replicas. */
  async iterate(): Promise<Record<string, number>> {
    const replies = this.workers.map((w) => this.send(w, { type: 'iterate' }));
    let losses: Record<string, number>;
    try {
      losses = runIteration(this.replica, this.exchange);
    } catch (err) {
      this.exchange?.abort();
      await Promise.allSettled(replies);
      throw err;
    }
    await Promise.all(replies);
    return losses;
  }

  /** Generates `batch` samples split over the replicas (inference needs no exchange). */
  async generate(batch: number): Promise<number> {
    const shares = splitBatch(batch, this.parties);
    const replies = this.workers.map((w, i) => (shares[i + 1]! > 0 ? this.send(w, { type: 'generate', batch: shares[i + 1]! }) : Promise.resolve(null)));
    let checksum = this.replica.generate(shares[0]!);
    for (const r of await Promise.all(replies)) if (r?.type === 'generated') checksum += r.checksum;
    return checksum;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.postMessage({ type: 'close' } satisfies ReplicaCommand);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.replica.dispose();
  }

  private send(worker: Worker, command: ReplicaCommand): Promise<ReplicaReply> {
    return new Promise((resolve, reject) => {
      this.pending.set(worker, { resolve, reject });
      worker.postMessage(command);
    });
  }
}

/**
 * Starts the worker script; from TypeScript sources (tests, benchmarks under tsx) the worker first registers
 * tsx's loader itself, since Node 20 does not apply the parent's --import hooks to a worker's entry module.
 */
function spawnWorker(file: string, workerData: ReplicaWorkerData): Worker {
  if (!file.endsWith('.ts')) return new Worker(file, { workerData });
  const tsxApi = tsxEsmApi();
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** File URL of tsx's ESM register API (resolved by hand: tsx compiles these sources to CJS under mocha). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import?: string | { default?: string } }> };
  const entry = pkg.exports['./esm/api']?.import;
  const relative = typeof entry === 'string' ? entry : entry?.default;
  if (!relative) throw new StudioError('UNAVAILABLE', 'tsx has no ESM register API; run the compiled build instead');
  return pathToFileURL(path.join(path.dirname(manifest), relative)).href;
}

/** Splits `batch` into `parties` shares differing by at most one, larger shares first. */
export function splitBatch(batch: number, parties: number): number[] {
  return Array.from({ length: parties }, (_, i) => Math.floor(batch / parties) + (i < batch % parties ? 1 : 0));
}
