// Shared by the kernel tests: run the same computation on wasm and cpu and measure how far apart they are.
import { tf } from '../../../server/ml/tf.js';
import { registerTrainingKernels } from '../../../server/ml/kernels/index.js';

export type TestBackend = 'wasm' | 'cpu';

/**
 * Initialises both backends, registers the training kernels, and returns the backend that was active before
 * (null when none was) for restoreBackend.
 */
export async function prepareBackends(): Promise<string | null> {
  const previous = (tf.getBackend() as string | undefined) || null;
  for (const name of ['cpu', 'wasm'] as const) {
    if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
    await tf.ready();
    registerTrainingKernels(name);
  }
  if (previous) await tf.setBackend(previous);
  return previous;
}

export async function restoreBackend(previous: string | null): Promise<void> {
  if (previous) await tf.setBackend(previous);
}

/**
 * For a describe block that compares backends: prepares both before its tests, restores the previous backend after
 * them and prints the worst error per kernel that its tests logged (returned).
 */
export function compareBackendsSuite(): ErrorLog {
  let previous: string | null = null;
  const log = new ErrorLog();
  before(async () => {
    previous = await prepareBackends();
  });
  after(async () => {
    await restoreBackend(previous);
    console.log(`      worst relative error: ${log.summary()}`);
  });
  return log;
}

/** Runs `body` with `name` as the active backend and switches back afterwards. */
export function onBackend<T>(name: TestBackend, body: () => T): T {
  const previous = tf.getBackend();
  tf.setBackend(name);
  try {
    return body();
  } finally {
    tf.setBackend(previous);
  }
}

/** A small deterministic generator so failures reproduce. */
export function seededValues(size: number, seed: number): Float32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** max |a - b| / max |b|: the error relative to the reference's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= diff)) diff = d; // also catches NaN
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / (scale || 1);
}

/** Plain values of a tensor or several (disposes nothing). */
export function valuesOf(result: tf.Tensor | tf.Tensor[]): Float32Array[] {
  const list = Array.isArray(result) ? result : [result];
  return list.map((t) => t.dataSync() as Float32Array);
}

/**
 * Runs `compute(inputs)` on wasm and on cpu with the same input values and returns the worst relative error over
 * all outputs, plus the shapes for messages. Inputs are [shape, seed] pairs; tensors are disposed.
 */
export function compareBackends(
  inputs: { shape: number[]; seed: number }[],
  compute: (...tensors: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): { error: number; shapes: number[][] } {
  const values = inputs.map(({ shape, seed }) => seededValues(shape.reduce((a, b) => a * b, 1), seed));
  const run = (name: TestBackend) =>
    onBackend(name, () =>
      tf.tidy(() => {
        const out = compute(...inputs.map(({ shape }, i) => tf.tensor(values[i]!, shape)));
        const list = Array.isArray(out) ? out : [out];
        return { values: valuesOf(list), shapes: list.map((t) => t.shape) };
      }),
    );
  const wasm = run('wasm');
  const cpu = run('cpu');
  let error = 0;
  cpu.values.forEach((expected, i) => {
    if (wasm.shapes[i]!.join() !== cpu.shapes[i]!.join()) error = Infinity;
    else error = Math.max(error, relativeError(wasm.values[i]!, expected));
  });
  return { error, shapes: cpu.shapes };
}

/** Tracks the worst error per kernel so a test can print what it measured. */
export class ErrorLog {
  private readonly worst = new Map<string, number>();
  add(name: string, error: number): void {
    this.worst.set(name, Math.max(error, this.worst.get(name) ?? 0));
  }
  summary(): string {
    return [...this.worst].map(([name, e]) => `${name} ${e.toExponential(1)}`).join(', ');
  }
}
