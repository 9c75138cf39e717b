/**
 * The server's side of inference: requests batched per model version (Batcher), each batch sent to the least busy
 * of `workers` inference threads, which load a model on first use (again when its folder changes). Everything here
 * is non-blocking; forward passes, audio decoding and file encoding run in the threads.
 */
import { availableParallelism } from 'node:os';
import { Batcher, type BatchOutcome, type BatchPriority } from './batcher.js';
import { StudioError } from '../util/errors.js';
import type { Settled } from './settle.js';
import type { RegistryEntry } from './registry.js';
import { InferenceThread } from './inference-thread.js';
import type { WorkerMemory, InstrumentPack, LoopItem, LoopResult, NoteItem, NoteResult, RuntimeInfo } from './inference-messages.js';

export interface InferencePoolOptions {
  /** Inference threads; each takes about a core while it computes and holds its own copy of the models. */
  workers?: number;
  /** Notes per forward pass at most. */
  maxNoteBatch?: number;
  /** Loops per worker call at most. */
  maxLoopBatch?: number;
  /** Environment of the workers (STUDIO_BACKEND chooses their backend). */
  env?: NodeJS.ProcessEnv;
}

export const inferencePoolDefaults = { workers: 1, maxNoteBatch: 32, maxLoopBatch: 8 };

/**
 * Inference threads `studio serve` starts unless told: two where there are two cores. A note's forward pass is
 * compute-bound on one wasm thread (~7 ms of CPU a `lite` note in a batch), so a second thread halves the wait of
 * requests that arrive while a batch runs; more threads than cores only add copies of the models.
 */
export function servedInferenceWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores));
}

export class InferencePool {
  private readonly threads: InferenceThread[];
  private readonly noteBatchers = new Map<string, Batcher<NoteItem, NoteResult>>();
  private readonly loopBatchers = new Map<string, Batcher<LoopItem, LoopResult>>();
  private readonly options: Required<Omit<InferencePoolOptions, 'env'>>;

  constructor(options: InferencePoolOptions = {}) {
    this.options = { ...inferencePoolDefaults, ...options };
    const count = Math.max(1, Math.floor(this.options.workers));
    this.threads = Array.from({ length: count }, () => new InferenceThread(options.env, () => this.forgetBatchers()));
  }

  /** The tfjs backend the inference threads run on (null until one has started). */
  get backend(): string | null {
    return this.threads.find((t) => t.backend)?.backend ?? null;
  }

  /** Loads the model (this version of it) into the first thread; returns what it can do. */
  info(entry: RegistryEntry): Promise<RuntimeInfo> {
    return this.threads[0]!.load(entry, runtimeKey(entry));
  }

  async note(entry: RegistryEntry, item: NoteItem, priority: BatchPriority = 'interactive'): Promise<NoteResult> {
    await this.info(entry);
    const key = runtimeKey(entry);
    let batcher = this.noteBatchers.get(key);
    if (!batcher) {
      dropOlderVersions(this.noteBatchers, entry.id);
      batcher = new Batcher({ maxBatch: this.options.maxNoteBatch, concurrency: this.threads.length, run: (items) => this.onThread(entry, key, async (t) => outcomes(await t.call({ op: 'notes', key, items }))) as Promise<BatchOutcome<NoteResult>[]> });
      this.noteBatchers.set(key, batcher);
    }
    return batcher.submit(item, priority);
  }

  async loop(entry: RegistryEntry, item: LoopItem): Promise<LoopResult> {
    await this.info(entry);
    const key = runtimeKey(entry);
    let batcher = this.loopBatchers.get(key);
    if (!batcher) {
      dropOlderVersions(this.loopBatchers, entry.id);
      batcher = new Batcher({ maxBatch: this.options.maxLoopBatch, concurrency: this.threads.length, run: (items) => this.onThread(entry, key, async (t) => outcomes(await t.call({ op: 'loops', key, items }))) as Promise<BatchOutcome<LoopResult>[]> });
      this.loopBatchers.set(key, batcher);
    }
    return batcher.submit(item);
  }

  /** Packs rendered notes into an instrument zip (in a worker: resampling and encoding ~60 WAVs takes a while). */
  packInstrument(pack: InstrumentPack): Promise<Uint8Array> {
    return this.assign((t) => t.call({ op: 'instrument', pack }, pack.notes.map((n) => n.audio.buffer as ArrayBuffer))) as Promise<Uint8Array>;
  }

  /** Tensors and heap over all threads (tests check that generation leaks nothing). */
  async memory(): Promise<WorkerMemory> {
    const all = (await Promise.all(this.threads.map((t) => t.call({ op: 'memory' })))) as WorkerMemory[];
    return all.reduce((a, m) => ({ numTensors: a.numTensors + m.numTensors, numBytes: a.numBytes + m.numBytes, heapUsedMb: a.heapUsedMb + m.heapUsedMb }));
  }

  /** Recent batch sizes per model version (tests look at how requests were grouped). */
  batchSizes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [key, b] of [...this.noteBatchers, ...this.loopBatchers]) out[key] = [...(out[key] ?? []), ...b.batchSizes];
    return out;
  }

  /** Batches, items and busy time since the start over every model; the largest batch since the last reset. */
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
    await Promise.all(this.threads.map((t) => t.close()));
  }

  /** Runs `work` on the least busy thread, with the model loaded there first. */
  private onThread(entry: RegistryEntry, key: string, work: (thread: InferenceThread) => Promise<unknown>): Promise<unknown> {
    return this.assign(async (thread) => {
      await thread.load(entry, key);
      return work(thread);
    });
  }

  /** Picks the thread with the least work (synchronously, so two batches started together go to two threads). */
  private async assign(work: (thread: InferenceThread) => Promise<unknown>): Promise<unknown> {
    const thread = this.threads.reduce((best, t) => (t.assigned < best.assigned ? t : best));
    thread.assigned++;
    try {
      return await work(thread);
    } finally {
      thread.assigned--;
    }
  }

  /** A thread died: its models are gone, so batches start over from a fresh load. */
  private forgetBatchers(): void {
    this.noteBatchers.clear();
    this.loopBatchers.clear();
  }
}

/** The worker's per-item outcomes, errors as StudioErrors again (internal ones also logged: they are our bugs). */
function outcomes(settled: unknown): BatchOutcome<unknown>[] {
  return (settled as Settled<unknown>[]).map((s) => {
    if (s.ok) return s;
    if (s.error.code === 'INTERNAL') console.error(`studio: ${s.error.message}`);
    return { ok: false, error: new StudioError(s.error.code, s.error.message) };
  });
}

function dropOlderVersions(batchers: Map<string, unknown>, modelId: string): void {
  for (const key of [...batchers.keys()]) if (key.startsWith(`${modelId}@`)) batchers.delete(key);
}

/** A model version: a retrained folder (new updatedAt) is a new key, loaded afresh. */
function runtimeKey(entry: RegistryEntry): string {
  return `${entry.id}@${entry.summary.updatedAt}@${entry.summary.step}`;
}
