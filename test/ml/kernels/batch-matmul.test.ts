import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { compareBackends, compareBackendsSuite } from './compare.js';

describe('wasm BatchMatMul with transposed operands (dense-layer gradients) matches cpu', function () {
  const log = compareBackendsSuite();

  it('every transpose combination, rank 2 and 3, both operand orders of cost', () => {
    // [m, k, n]: a wide right operand (the swapped product wins) and a tall one (the direct product wins).
    const sizes: [number, number, number][] = [[5, 7, 300], [300, 7, 5], [9, 40, 3]];
    for (const [m, k, n] of sizes) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          for (const rank3 of [false, true]) {
            const lead = rank3 ? [1] : [];
            const aShape = [...lead, ...(transposeA ? [k, m] : [m, k])];
            const bShape = [...lead, ...(transposeB ? [n, k] : [k, n])];
            const { error, shapes } = compareBackends([{ shape: aShape, seed: m + k }, { shape: bShape, seed: n }], (a, b) =>
              tf.matMul(a!, b!, transposeA, transposeB),
            );
            assert.deepEqual(shapes[0], [...lead, m, n]);
            log.add(`BatchMatMul ${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}`, error);
            assert.ok(error < 1e-5, `${m}x${k}x${n} ${transposeA}/${transposeB}: ${error}`);
          }
        }
      }
    }
  });

  it('batched products (left to the stock kernel) and the gradient of a dense layer', () => {
    const batched = compareBackends([{ shape: [3, 4, 5], seed: 1 }, { shape: [3, 6, 5], seed: 2 }], (a, b) => tf.matMul(a!, b!, false, true));
    assert.ok(batched.error < 1e-5, `batched: ${batched.error}`);
    const dense = compareBackends([{ shape: [16, 37], seed: 3 }, { shape: [37, 64], seed: 4 }], (x, w) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))))([x!, w!]),
    );
    log.add('dense gradients', dense.error);
    assert.ok(dense.error < 1e-5, `dense gradients: ${dense.error}`);
  });
});
