import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { compareBackends, compareBackendsSuite } from './compare.js';

const TOLERANCE = 1e-5;

describe('wasm pooling/resizing gradients, leading-axis reductions and leakyRelu gradient match cpu', function () {
  const log = compareBackendsSuite();

  it('AvgPoolGrad: tiled power-of-two windows (fast path), odd sizes, overlapping and padded windows', () => {
    const cases: { shape: number[]; filter: number | [number, number]; stride: number | [number, number]; pad: 'same' | 'valid' }[] = [
      { shape: [2, 8, 12, 3], filter: 2, stride: 2, pad: 'valid' },
      { shape: [2, 9, 13, 3], filter: 2, stride: 2, pad: 'valid' },
      { shape: [2, 8, 8, 2], filter: [4, 2], stride: [4, 2], pad: 'valid' },
      { shape: [2, 8, 12, 3], filter: 2, stride: 2, pad: 'same' },
      { shape: [2, 9, 7, 3], filter: 3, stride: 1, pad: 'same' },
      { shape: [2, 9, 7, 3], filter: 3, stride: 3, pad: 'valid' },
      { shape: [2, 7, 6, 2], filter: 2, stride: 1, pad: 'valid' },
    ];
    for (const [i, c] of cases.entries()) {
      const weighted = compareBackends([{ shape: c.shape, seed: i + 1 }], (x) => {
        const y = tf.avgPool(x as tf.Tensor4D, c.filter, c.stride, c.pad);
        const w = tf.tensor(Float32Array.from({ length: y.size }, (_, k) => Math.sin(k)), y.shape);
        return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, c.filter, c.stride, c.pad), w)))(x!);
      });
      log.add('AvgPoolGrad', weighted.error);
      assert.ok(weighted.error < TOLERANCE, `${JSON.stringify(c)} weighted: ${weighted.error}`);
    }
  });

  it('ResizeNearestNeighborGrad: power-of-two block sums (fast path) and other factors', () => {
    for (const [i, size] of ([[8, 10], [16, 5], [12, 15], [6, 7]] as [number, number][]).entries()) {
      for (const halfPixelCenters of [false, true]) {
        const { error } = compareBackends([{ shape: [2, 4, 5, 3], seed: i + 1 }, { shape: [2, ...size, 3], seed: 9 }], (x, w) =>
          tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, false, halfPixelCenters), w!)))(x!),
        );
        log.add('ResizeNearestNeighborGrad', error);
        assert.ok(error < TOLERANCE, `${size} ${halfPixelCenters}: ${error}`);
      }
    }
  });

  it('Sum and Mean over leading axes (matrix-vector fast path) and other axes (stock)', () => {
    const shape = [4, 6, 5, 3];
    const axesList: (number | number[])[] = [0, [0, 1], [0, 1, 2], [1, 2], 3, [0, 2], -1];
    for (const axes of axesList) {
      for (const keepDims of [false, true]) {
        const { error, shapes } = compareBackends([{ shape, seed: 5 }], (x) => [tf.sum(x!, axes, keepDims), tf.mean(x!, axes, keepDims)]);
        log.add('Sum/Mean', error);
        assert.ok(error < TOLERANCE, `axes ${axes} keepDims ${keepDims}: ${error} ${JSON.stringify(shapes)}`);
      }
    }
    const bias = compareBackends([{ shape: [8, 16, 32, 4], seed: 6 }, { shape: [4], seed: 7 }], (x, b) =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.add(x!, t))))(b!),
    );
    log.add('bias gradient', bias.error);
    assert.ok(bias.error < 1e-4, `bias gradient ${bias.error}`);
  });

  it('leakyRelu gradient (dy * step(x, alpha)) and its gradient', () => {
    const { error } = compareBackends([{ shape: [3, 5, 7, 2], seed: 3 }, { shape: [3, 5, 7, 2], seed: 4 }], (x, w) => {
      const first = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), w!)))(x!);
      const second = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), v)))(x!))))(w!);
      return [first, second];
    });
    log.add('LeakyRelu gradients', error);
    assert.ok(error < TOLERANCE, `${error}`);
    const values = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.leakyRelu(t, 0.2)))(tf.tensor1d([-2, 0, 3])).arraySync() as number[]);
    assert.deepEqual(values.map((v) => Math.round(v * 10) / 10), [0.2, 0.2, 1]);
  });
});
