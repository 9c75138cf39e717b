/**
 * The inference worker thread: loads models and runs every forward pass, MIDI/WAV encoding and zipping, so the
 * server's event loop only moves bytes and keeps its timing (jam pushes, progress) while models compute.
 */
import { parentPort } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { buildInstrumentFiles } from '../exports/instrument.js';
import { initBackend } from '../ml/backend.js';
import { tf } from '../ml/tf.js';
import { StudioError } from '../util/errors.js';
import type { ErrorBody } from '../protocol.js';
import { errorBodyOf } from './settle.js';
import { loadRuntime, type Runtime } from './runtimes.js';
import type { InstrumentPack, WorkerReply, WorkerRequest } from './inference-messages.js';

/** Below the event loop's thread (0), above training jobs (10): the loop's short bursts always get a core first. */
const INFERENCE_NICENESS = 4;

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs as a worker thread');

lowerThreadPriority(INFERENCE_NICENESS);

const runtimes = new Map<string, Runtime>();
const backend = await initBackend();
port.postMessage({ ready: true, backend: backend.name });

port.on('message', (request: WorkerRequest) => {
  void handle(request).then(
    ({ result, transfer }) => port.postMessage({ id: request.id, ok: true, result } satisfies WorkerReply, transfer),
    (err: unknown) => port.postMessage({ id: request.id, ok: false, error: errorBody(err) } satisfies WorkerReply),
  );
});

async function handle(request: WorkerRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  switch (request.op) {
    case 'load': {
      const existing = runtimes.get(request.key);
      if (existing) return { result: existing.info, transfer: [] };
      const runtime = await loadRuntime(request.kind, request.dir);
      runtimes.set(request.key, runtime);
      return { result: runtime.info, transfer: [] };
    }
    case 'unload': {
      runtimes.get(request.key)?.dispose();
      runtimes.delete(request.key);
      return { result: { tensors: tf.memory().numTensors }, transfer: [] };
    }
    case 'notes': {
      const runtime = runtimeOf(request.key, 'notes');
      const results = runtime.kind === 'notes' ? runtime.generate(request.items) : [];
      return { result: results, transfer: results.flatMap((r) => (r.ok ? [(r.value.wav ?? r.value.audio!).buffer as ArrayBuffer] : [])) };
    }
    case 'loops': {
      const runtime = runtimeOf(request.key, 'loops');
      const results = runtime.kind === 'loops' ? runtime.generate(request.items) : [];
      return { result: results, transfer: results.flatMap((r) => (r.ok ? [r.value.midi.buffer as ArrayBuffer, r.value.data.buffer as ArrayBuffer] : [])) };
    }
    case 'memory': {
      const memory = tf.memory();
      return { result: { numTensors: memory.numTensors, numBytes: memory.numBytes, heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 }, transfer: [] };
    }
    case 'instrument': {
      const zip = packInstrument(request.pack);
      return { result: zip, transfer: [zip.buffer as ArrayBuffer] };
    }
  }
}

function runtimeOf(key: string, kind: Runtime['kind']): Runtime {
  const runtime = runtimes.get(key);
  if (!runtime) throw new StudioError('UNAVAILABLE', `model ${key} is not loaded`);
  if (runtime.kind !== kind) throw new StudioError('BAD_INPUT', `model ${key} is a ${runtime.kind} model, not ${kind}`);
  return runtime;
}

/** The instrument zip (.sfz + samples/*.wav), made the same way as `studio generate instrument` makes it. */
function packInstrument(pack: InstrumentPack): Uint8Array {
  const files = buildInstrumentFiles(pack.notes, {
    name: pack.name,
    comment: pack.comment,
    sampleRate: pack.sampleRate,
    outputSampleRate: pack.outputSampleRate,
    bitDepth: pack.bitDepth,
  });
  return files[`${pack.name}.zip`]!;
}

/** Linux lets one thread have its own nice value; /proc/thread-self names this thread's id. Elsewhere: no change. */
function lowerThreadPriority(niceness: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, niceness);
  } catch {
    // not Linux, or not allowed: same priority as the server
  }
}

function errorBody(err: unknown): ErrorBody {
  // Not the user's doing when not a StudioError: the detail goes to the server log (the pool logs it).
  return errorBodyOf(err);
}
