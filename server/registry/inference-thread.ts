/**
 * One inference worker thread as the server sees it: started on first use, the models it has loaded (by version
 * key), the calls it is working on. If the thread dies, only its own calls fail; the next call starts a new one.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { StudioError } from '../util/errors.js';
import type { RegistryEntry } from './registry.js';
import type { RuntimeInfo, WorkerReady, WorkerReply, WorkerRequest } from './inference-messages.js';

export type Outgoing = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class InferenceThread {
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly loaded = new Map<string, Promise<RuntimeInfo>>();
  private closed = false;
  backend: string | null = null;
  /** Work the pool has given this thread and not yet got back (counted at once, before any await). */
  assigned = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv | undefined,
    /** Told when the thread dies, so batchers of its models can be dropped. */
    private readonly onDeath: () => void,
  ) {}

  /** Loads this version of the model (once), unloading older versions of the same model. */
  load(entry: RegistryEntry, key: string): Promise<RuntimeInfo> {
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

  unload(key: string): void {
    if (!this.loaded.delete(key)) return;
    if (this.worker) this.call({ op: 'unload', key }).catch(() => undefined);
  }

  async call(message: Outgoing, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const worker = await this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failPending(new StudioError('UNAVAILABLE', 'the server is shutting down'));
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Promise<Worker> {
    if (this.closed) return Promise.reject(new StudioError('UNAVAILABLE', 'the server is shutting down'));
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= new Promise<Worker>((resolve, reject) => {
      const worker = spawnWorker(this.env);
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
    if (!this.closed) console.error(`studio: an inference worker stopped (exit code ${code}); it restarts with the next request`);
    this.failPending(new StudioError('UNAVAILABLE', `the inference worker stopped (exit code ${code}); try again`));
    this.onDeath();
  }

  private failPending(error: StudioError): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
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
