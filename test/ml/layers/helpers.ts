import assert from 'node:assert/strict';
import { tf } from '../../../server/ml/tf.js';
import { backendInfo, initBackend, type BackendName } from '../../../server/ml/backend.js';

/**
 * Switches to `name` for a suite and back afterwards, so other test files keep the backend they chose.
 * Call in `before`; await the returned function in `after`.
 */
export async function switchBackend(name: BackendName): Promise<() => Promise<void>> {
  const previous = backendInfo()?.name;
  await initBackend({ backend: name });
  return async () => {
    if (previous && previous !== name) await initBackend({ backend: previous });
  };
}

/** Runs `fn` and asserts it left no tensor behind. */
export async function assertNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return result;
}

/** Largest |a - b| relative to the largest |b| (1 when b is all zeros). */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  assert.equal(x.length, y.length, `sizes differ: [${a.shape}] vs [${b.shape}]`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return diff / (scale || 1);
}

/** A tensor of reproducible values in [-1, 1). */
export function randomTensor(shape: number[], seed = 1): tf.Tensor {
  let s = seed >>> 0;
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = s / 2147483648 - 1;
  }
  return tf.tensor(values, shape);
}
