import assert from 'node:assert/strict';
import { tf } from '../../../server/ml/tf.js';
import { ParamStore } from '../../../server/ml/params.js';
import { avgPool2x, conv2d, conv2dTranspose, dense, leakyRelu, minibatchStddev, pixelNorm, upsampleNearest2x } from '../../../server/ml/layers/index.js';
import { assertNoLeaks, randomTensor, relativeError, switchBackend } from './helpers.js';

describe('ml/layers: dense, 2-D convolutions, activations', () => {
  let restore: () => Promise<void>;
  before(async () => (restore = await switchBackend('cpu')));
  after(async () => restore());

  it('gives dense and conv layers their shapes and parameter counts', async () => {
    const p = new ParamStore();
    await assertNoLeaks(() => {
      tf.tidy(() => {
        assert.deepEqual(dense(p, 'fc', tf.zeros([3, 10]) as tf.Tensor2D, { units: 7 }).shape, [3, 7]);
        assert.equal(p.count('fc/'), 10 * 7 + 7);
        const x = tf.zeros([2, 9, 11, 4]) as tf.Tensor4D;
        assert.deepEqual(conv2d(p, 'same', x, { filters: 5, kernelSize: 3 }).shape, [2, 9, 11, 5]);
        assert.deepEqual(conv2d(p, 'strided', x, { filters: 5, kernelSize: 3, strides: 2 }).shape, [2, 5, 6, 5]);
        assert.deepEqual(conv2d(p, 'valid', x, { filters: 5, kernelSize: [3, 2], padding: 'valid', useBias: false }).shape, [2, 7, 10, 5]);
        assert.equal(p.count('same/'), 3 * 3 * 4 * 5 + 5);
        assert.equal(p.count('valid/'), 3 * 2 * 4 * 5);
        assert.deepEqual(conv2dTranspose(p, 'up', x, { filters: 6, kernelSize: 4, strides: 2 }).shape, [2, 18, 22, 6]);
        assert.deepEqual(conv2dTranspose(p, 'upv', x, { filters: 6, kernelSize: 3, strides: 2, padding: 'valid' }).shape, [2, 19, 23, 6]);
        assert.deepEqual(p.variable('up/kernel').shape, [4, 4, 6, 4]);
      });
      p.dispose();
    });
  });

  it('computes dense as x·W + b and equalized learning rate as a run-time He scale', () => {
    const p = new ParamStore({ seed: 4 });
    const q = new ParamStore({ seed: 4 });
    tf.tidy(() => {
      const x = randomTensor([2, 8]) as tf.Tensor2D;
      const y = dense(p, 'fc', x, { units: 3 });
      const expected = tf.add(tf.matMul(x, p.variable('fc/kernel')), p.variable('fc/bias'));
      assert.ok(relativeError(y, expected) < 1e-6);
      const eq = dense(q, 'fc', x, { units: 3, equalized: true });
      const stored = Array.from(q.variable('fc/kernel').dataSync());
      const rms = Math.sqrt(stored.reduce((s, v) => s + v * v, 0) / stored.length);
      assert.ok(rms > 0.6 && rms < 1.5, `equalized weights are stored as N(0, 1), rms ${rms}`);
      assert.ok(relativeError(eq, tf.matMul(x, tf.mul(q.variable('fc/kernel'), Math.SQRT2 / Math.sqrt(8)))) < 1e-6);
    });
    p.dispose();
    q.dispose();
  });

  it('applies leaky ReLU with slope 0.2, with the stock gradient', async () => {
    await assertNoLeaks(() =>
      tf.tidy(() => {
        assert.deepEqual(Array.from(leakyRelu(tf.tensor1d([-2, 0, 3])).dataSync()), [-0.4000000059604645, 0, 3]);
        const x = randomTensor([3, 4, 5]);
        const w = randomTensor([3, 4, 5], 9);
        const mine = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(leakyRelu(t), w)))(x);
        const stock = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), w)))(x);
        assert.equal(relativeError(mine, stock), 0);
      }),
    );
  });

  it('gives bias gradients as the sum of dy over all leading axes', async () => {
    const p = new ParamStore();
    await assertNoLeaks(() => {
      tf.tidy(() => {
        const x = randomTensor([2, 5, 3, 4]) as tf.Tensor4D;
        const w = randomTensor([2, 5, 3, 6], 4);
        const { grads } = p.gradients(() => tf.sum(tf.mul(conv2d(p, 'c', x, { filters: 6, kernelSize: 3 }), w)) as tf.Scalar);
        assert.ok(relativeError(grads['c/bias']!, tf.sum(w, [0, 1, 2])) < 1e-6);
      });
      p.dispose();
    });
  });

  it('pixel-normalises each position to unit RMS over channels', async () => {
    await assertNoLeaks(() =>
      tf.tidy(() => {
        const y = pixelNorm(tf.tensor4d([3, 4, 0, 0, 1, -1], [1, 1, 3, 2])).dataSync();
        const rms = (a: number, b: number) => Math.sqrt((a * a + b * b) / 2 + 1e-8);
        const expected = [3 / rms(3, 4), 4 / rms(3, 4), 0, 0, 1 / rms(1, -1), -1 / rms(1, -1)];
        expected.forEach((e, i) => assert.ok(Math.abs(y[i]! - e) < 1e-6, `${i}: ${y[i]} vs ${e}`));
      }),
    );
  });

  it('appends the minibatch standard deviation per group', async () => {
    await assertNoLeaks(() =>
      tf.tidy(() => {
        // batch 4, group 2: samples {0, 2} and {1, 3} form the groups; 2 positions x 1 channel.
        const values = [
          [1, 3],
          [0, 10],
          [5, 1],
          [0, 0],
        ];
        const x = tf.tensor3d(values.flat(), [4, 2, 1]);
        const y = minibatchStddev(x, { groupSize: 2 });
        assert.deepEqual(y.shape, [4, 2, 2]);
        const std = (a: number, b: number) => Math.sqrt(((a - b) / 2) ** 2 + 1e-8);
        const group0 = (std(1, 5) + std(3, 1)) / 2;
        const group1 = (std(0, 0) + std(10, 0)) / 2;
        const out = y.arraySync() as number[][][];
        for (let n = 0; n < 4; n++) {
          const expected = n % 2 === 0 ? group0 : group1;
          for (let pos = 0; pos < 2; pos++) {
            assert.equal(out[n]![pos]![0], values[n]![pos]);
            assert.ok(Math.abs(out[n]![pos]![1]! - expected) < 1e-5, `sample ${n}: ${out[n]![pos]![1]} vs ${expected}`);
          }
        }
      }),
    );
    assert.throws(() => minibatchStddev(tf.zeros([6, 2]), { groupSize: 4 }), /multiple of the group size 4/);
  });

  it('upsamples and pools like the stock kernels, with gradients', async () => {
    await assertNoLeaks(() =>
      tf.tidy(() => {
        const x = randomTensor([2, 3, 5, 4]) as tf.Tensor4D;
        assert.equal(relativeError(upsampleNearest2x(x), upsampleNearest2x(x, { method: 'kernel' })), 0);
        const y = randomTensor([2, 6, 4, 3], 7) as tf.Tensor4D;
        assert.ok(relativeError(avgPool2x(y), avgPool2x(y, { method: 'kernel' })) < 1e-6, `avgPool2x(y): ${relativeError(avgPool2x(y), avgPool2x(y, { method: 'kernel' }))}`);
        // d/dx Σ up(x)·w is the sum of w over each 2x2 block; d/dy Σ pool(y)·v spreads v/4 over each block.
        // (tfjs 4.22 cpu's ResizeNearestNeighborGrad is wrong for batch > 1, so the kernel's gradient is no reference.)
        const w = randomTensor([2, 6, 10, 4], 3);
        const upGrad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(upsampleNearest2x(t as tf.Tensor4D), w)))(x);
        const blockSums = tf.mul(tf.avgPool(w as tf.Tensor4D, 2, 2, 'valid'), 4);
        assert.ok(relativeError(upGrad, blockSums) < 1e-6, `upsample gradient: ${relativeError(upGrad, blockSums)}`);
        const v = randomTensor([2, 3, 2, 3], 5) as tf.Tensor4D;
        const poolGrad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(avgPool2x(t as tf.Tensor4D), v)))(y);
        const spread = tf.mul(tf.image.resizeNearestNeighbor(v, [6, 4]), 0.25);
        assert.ok(relativeError(poolGrad, spread) < 1e-6, `pool gradient: ${relativeError(poolGrad, spread)}`);
      }),
    );
    assert.throws(() => avgPool2x(tf.zeros([1, 3, 4, 1]) as tf.Tensor4D), /even height and width/);
  });
});
