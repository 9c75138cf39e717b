/**
 * The server's side of the inference worker: loads registry models into it on first use (again when a model folder
 * changes), batches requests per model (Batcher), and restarts the worker if it dies, failing only the requests it
 * held. Everything here is non-blocking; the forward passes run in the worker.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { StudioError } from '../util/errors.js';
import { Batcher, type BatchPriority } from './batcher.js';
import type { RegistryEntry } from './registry.js';
import type { WorkerMemory, InstrumentPack, LoopItem, LoopResult, NoteItem, NoteResult, RuntimeInfo, WorkerReady, WorkerReply, WorkerRequest } from './inference-messages.js';

export interface InferencePoolOptions {
  /** Notes per forward pass at most. */
  maxNoteBatch?: number;
  /** Loops per worker call at most. */
  maxLoopBatch?: number;
  /** Environment of the worker (STUDIO_BACKEND chooses its backend). */
  env?: NodeJS.ProcessEnv;
}

export const inferencePoolDefaults = { maxNoteBatch: 32, maxLoopBatch: 8 };

type Outgoing = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class InferencePool {
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly loaded = new Map<string, Promise<RuntimeInfo>>();
  private readonly noteBatchers = new Map<string, Batcher<NoteItem, NoteResult>>();
  private readonly loopBatchers = new Map<string, Batcher<LoopItem, LoopResult>>();
  private readonly options: Required<Omit<InferencePoolOptions, 'env'>> & { env?: NodeJS.ProcessEnv };
  private closed = false;
  backend: string | null = null;

  constructor(options: InferencePoolOptions = {}) {
    this.options = { ...inferencePoolDefaults, ...options };
  }

  /** Loads the model into the worker if this version of it is not loaded yet; returns what it can do. */
  info(entry: RegistryEntry): Promise<RuntimeInfo> {
    const key = runtimeKey(entry);
    let loading = this.loaded.get(key);
    if (!loading) {
      for (const old of [...this.loaded.keys()].filter((k) => k.startsWith(`${entry.id}@`))) this.unload(old);
      loading = this.call({ op: 'load', key, kind: entry.kind, dir: entry.dir }) as Promise<RuntimeInfo>;
      this.loaded.set(key, loading);
      loading.catch(() => {
        if (this.loaded.get(key) === loading) this.loaded.delete(key);
      });
    }
    return loading;
  }

  async note(entry: RegistryEntry, item: NoteItem, priority: BatchPriority = 'interactive'): Promise<NoteResult> {
    await this.info(entry);
    const key = runtimeKey(entry);
    let batcher = this.noteBatchers.get(key);
    if (!batcher) {
      batcher = new Batcher({ maxBatch: this.options.maxNoteBatch, run: (items) => this.call({ op: 'notes', key, items }) as Promise<NoteResult[]> });
      this.noteBatchers.set(key, batcher);
    }
    return batcher.submit(item, priority);
  }

  async loop(entry: RegistryEntry, item: LoopItem): Promise<LoopResult> {
    await this.info(entry);
    const key = runtimeKey(entry);
    let batcher = this.loopBatchers.get(key);
    if (!batcher) {
      batcher = new Batcher({ maxBatch: this.options.maxLoopBatch, run: (items) => this.call({ op: 'loops', key, items }) as Promise<LoopResult[]> });
      this.loopBatchers.set(key, batcher);
    }
    return batcher.submit(item);
  }

  /** Packs rendered notes into an instrument zip (in the worker: resampling and encoding ~60 WAVs takes a while). */
  packInstrument(pack: InstrumentPack): Promise<Uint8Array> {
    return this.call({ op: 'instrument', pack }, pack.notes.map((n) => n.audio.buffer as ArrayBuffer)) as Promise<Uint8Array>;
  }

  memory(): Promise<WorkerMemory> {
    return this.call({ op: 'memory' }) as Promise<WorkerMemory>;
  }

  /** Recent batch sizes per model version (tests look at how requests were grouped). */
  batchSizes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [key, b] of [...this.noteBatchers, ...this.loopBatchers]) out[key] = [...(out[key] ?? []), ...b.batchSizes];
    return out;
  }

  /** Batches and items since the start over every model, and the largest batch since the last call with reset. */
  batchTotals(reset = false): { batches: number; items: number; busyMs: number; maxSize: number } {
    const out = { batches: 0, items: 0, busyMs: 0, maxSize: 0 };
    for (const b of [...this.noteBatchers.values(), ...this.loopBatchers.values()]) {
      out.batches += b.totals.batches;
      out.items += b.totals.items;
      out.busyMs += b.totals.busyMs;
      out.maxSize = Math.max(out.maxSize, b.totals.windowMax);
      if (reset) b.totals.windowMax = 0;
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failPending(new StudioError('UNAVAILABLE', 'the server is shutting down'));
    if (worker) await worker.terminate();
  }

  private unload(key: string): void {
    this.loaded.delete(key);
    this.noteBatchers.delete(key);
    this.loopBatchers.delete(key);
    if (this.worker) this.call({ op: 'unload', key }).catch(() => undefined);
  }

  private async call(message: Outgoing, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const worker = await this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  private ensureWorker(): Promise<Worker> {
    if (this.closed) return Promise.reject(new StudioError('UNAVAILABLE', 'the server is shutting down'));
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= new Promise<Worker>((resolve, reject) => {
      const worker = spawnWorker(this.options.env);
      const onEarlyError = (err: Error) => reject(new StudioError('UNAVAILABLE', `the inference worker failed to start: ${err.message}`));
      worker.once('error', onEarlyError);
      worker.once('message', (ready: WorkerReady) => {
        worker.off('error', onEarlyError);
        this.backend = ready.backend;
        this.worker = worker;
        worker.on('message', (reply: WorkerReply) => this.onReply(reply));
        worker.on('error', (err) => console.error(`studio: inference worker error: ${err.stack ?? err.message}`));
        worker.on('exit', (code) => this.onExit(worker, code));
        resolve(worker);
      });
    }).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private onReply(reply: WorkerReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.result);
    else {
      if (reply.error.code === 'INTERNAL') console.error(`studio: ${reply.error.message}`);
      waiting.reject(new StudioError(reply.error.code, reply.error.message));
    }
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.loaded.clear();
    this.noteBatchers.clear();
    this.loopBatchers.clear();
    if (!this.closed) console.error(`studio: the inference worker stopped (exit code ${code}); it restarts with the next request`);
    this.failPending(new StudioError('UNAVAILABLE', `the inference worker stopped (exit code ${code}); try again`));
  }

  private failPending(error: StudioError): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/** A model version: a retrained folder (new updatedAt) is a new key, loaded afresh. */
function runtimeKey(entry: RegistryEntry): string {
  return `${entry.id}@${entry.summary.updatedAt}@${entry.summary.step}`;
}

/** Runs the compiled worker from dist/, or the TypeScript source through tsx's loader when the server runs from sources. */
function spawnWorker(env?: NodeJS.ProcessEnv): Worker {
  const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  const workerEnv = { ...process.env, ...env };
  if (!fromSources) return new Worker(new URL('./inference-worker.js', import.meta.url), { env: workerEnv });
  const entry = new URL('./inference-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, env: workerEnv, execArgv: [] });
}
