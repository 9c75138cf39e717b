import assert from 'node:assert/strict';
import { tf } from '../../../server/ml/tf.js';
import { ParamStore } from '../../../server/ml/params.js';
import { conv3d, conv3dTranspose, type Conv3DOptions } from '../../../server/ml/layers/index.js';
import { assertNoLeaks, randomTensor, relativeError, switchBackend } from './helpers.js';

type Case = { input: [number, number, number, number, number]; options: Conv3DOptions; output: number[] };

// Odd sizes, strides on every axis, both paddings, and the reference loop GAN's layer geometries (smaller).
const forwardCases: Case[] = [
  { input: [2, 4, 6, 7, 3], options: { filters: 5, kernelSize: [3, 4, 3], strides: [1, 2, 1] }, output: [2, 4, 3, 7, 5] },
  { input: [2, 4, 6, 9, 3], options: { filters: 4, kernelSize: [3, 4, 3], strides: [1, 2, 3] }, output: [2, 4, 3, 3, 4] },
  { input: [1, 4, 6, 6, 2], options: { filters: 3, kernelSize: 4, strides: 2 }, output: [1, 2, 3, 3, 3] },
  { input: [2, 5, 5, 6, 2], options: { filters: 3, kernelSize: [2, 3, 3], strides: [2, 1, 2], padding: 'valid' }, output: [2, 2, 3, 2, 3] },
  { input: [1, 3, 4, 4, 2], options: { filters: 2, kernelSize: 1 }, output: [1, 3, 4, 4, 2] },
];
const transposeCases: Case[] = [
  { input: [2, 2, 3, 4, 4], options: { filters: 3, kernelSize: 4, strides: 2 }, output: [2, 4, 6, 8, 3] },
  { input: [2, 4, 3, 5, 3], options: { filters: 2, kernelSize: [3, 4, 3], strides: [1, 2, 3] }, output: [2, 4, 6, 15, 2] },
  { input: [1, 3, 4, 5, 2], options: { filters: 3, kernelSize: [3, 4, 3], strides: [1, 2, 1] }, output: [1, 3, 8, 5, 3] },
  { input: [1, 2, 3, 3, 2], options: { filters: 2, kernelSize: [3, 2, 3], strides: [2, 2, 1], padding: 'valid' }, output: [1, 5, 6, 5, 2] },
];

/** The layer's output and its gradients w.r.t. input, kernel and bias, for a fixed cotangent `w`. */
function outputAndGradients(fn: typeof conv3d, c: Case, implementation: 'taps' | 'native'): tf.Tensor[] {
  const p = new ParamStore({ seed: 8 });
  const x = randomTensor(c.input, 2) as tf.Tensor5D;
  const run = (t: tf.Tensor) => fn(p, 'c', t as tf.Tensor5D, { ...c.options, implementation });
  const y = run(x);
  const w = randomTensor(y.shape, 3);
  const { grads } = p.gradients(() => tf.sum(tf.mul(run(x), w)) as tf.Scalar);
  const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(run(t), w)))(x);
  const out = [y, dx, grads['c/kernel']!, grads['c/bias']!].map((t) => tf.keep(t));
  p.dispose();
  return out;
}

/**
 * The same for tf.conv3dTranspose, whose gradients tfjs cannot compute: a transposed convolution is the adjoint
 * of conv3d, so d/dx = conv3d(w, kernel) and d/dkernel = conv3d's filter gradient of (w, x).
 */
function transposeReference(c: Case): tf.Tensor[] {
  const p = new ParamStore({ seed: 8 });
  const x = randomTensor(c.input, 2) as tf.Tensor5D;
  const y = conv3dTranspose(p, 'c', x, { ...c.options, implementation: 'native' });
  const w = randomTensor(y.shape, 3) as tf.Tensor5D;
  const k = p.variable('c/kernel') as unknown as tf.Tensor5D;
  const strides = (typeof c.options.strides === 'number' ? [c.options.strides, c.options.strides, c.options.strides] : c.options.strides ?? [1, 1, 1]) as [number, number, number];
  const padding = c.options.padding ?? 'same';
  const dx = tf.conv3d(w, k, strides, padding);
  const dk = tf.grad((kk: tf.Tensor) => tf.sum(tf.mul(tf.conv3d(w, kk as tf.Tensor5D, strides, padding), x)))(k);
  const db = tf.sum(w, [0, 1, 2, 3]);
  const out = [y, dx, dk, db].map((t) => tf.keep(t));
  p.dispose();
  return out;
}

describe('ml/layers: 3-D convolutions as 2-D convolutions over depth taps', () => {
  let restore: () => Promise<void>;
  before(async () => (restore = await switchBackend('cpu')));
  after(async () => restore());

  for (const [name, fn, cases] of [
    ['conv3d', conv3d, forwardCases],
    ['conv3dTranspose', conv3dTranspose, transposeCases],
  ] as const) {
    for (const c of cases) {
      it(`${name} ${JSON.stringify(c.options)} on [${c.input}] matches tf's 3-D op, gradients included`, async () => {
        await assertNoLeaks(() => {
          const taps = tf.tidy(() => outputAndGradients(fn, c, 'taps'));
          const native = tf.tidy(() => (fn === conv3d ? outputAndGradients(fn, c, 'native') : transposeReference(c)));
          assert.deepEqual(taps[0]!.shape, c.output);
          ['output', 'input gradient', 'kernel gradient', 'bias gradient'].forEach((what, i) => {
            assert.deepEqual(taps[i]!.shape, native[i]!.shape, what);
            const err = relativeError(taps[i]!, native[i]!);
            assert.ok(err < 1e-5, `${what}: relative error ${err}`);
          });
          tf.dispose([...taps, ...native]);
        });
      });
    }
  }

  it('counts [kd, kh, kw, in, out] kernels plus biases', () => {
    const p = new ParamStore();
    tf.tidy(() => {
      conv3d(p, 'a', tf.zeros([1, 4, 8, 8, 3]) as tf.Tensor5D, { filters: 6, kernelSize: [3, 4, 3] });
      conv3dTranspose(p, 'b', tf.zeros([1, 2, 3, 7, 128]) as tf.Tensor5D, { filters: 64, kernelSize: 4, strides: 2 });
    });
    assert.equal(p.count('a/'), 3 * 4 * 3 * 3 * 6 + 6);
    assert.equal(p.count('b/'), 4 * 4 * 4 * 64 * 128 + 64);
    assert.deepEqual(p.variable('b/kernel').shape, [4, 4, 4, 64, 128]);
    p.dispose();
  });
});
