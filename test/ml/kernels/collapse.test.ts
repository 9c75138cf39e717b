import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { compareBackends, compareBackendsSuite } from './compare.js';

describe('wasm Slice and Transpose on merged axes match cpu (rank 3 to 6)', function () {
  const log = compareBackendsSuite();

  it('slices that take some axes whole, none, or all', () => {
    const shape = [3, 4, 5, 6, 2];
    const slices: [number[], number[]][] = [
      [[0, 1, 0, 0, 0], [3, 2, 5, 6, 2]],
      [[1, 0, 0, 0, 0], [1, 4, 5, 6, 2]],
      [[0, 0, 0, 0, 1], [3, 4, 5, 6, 1]],
      [[0, 1, 2, 0, 0], [3, 3, 2, 6, 2]],
      [[1, 1, 1, 1, 1], [2, 3, 4, 5, 1]],
      [[0, 0, 0, 0, 0], [-1, -1, -1, -1, -1]],
      [[0, 2, 0, 3, 0], [3, 1, 5, 2, 2]],
    ];
    for (const [begin, size] of slices) {
      const { error, shapes } = compareBackends([{ shape, seed: 1 }], (x) => tf.slice(x!, begin, size));
      log.add('Slice rank 5', error);
      assert.ok(error === 0, `${begin} ${size}: ${error} ${JSON.stringify(shapes)}`);
    }
    for (const [begin, size] of [[[0, 1, 0, 0], [2, 2, 3, 4]], [[1, 0, 1, 0], [1, 3, 2, 4]]] as [number[], number[]][]) {
      const { error } = compareBackends([{ shape: [2, 3, 3, 4], seed: 2 }], (x) => tf.slice(x!, begin, size));
      log.add('Slice rank 4', error);
      assert.ok(error === 0, `${begin} ${size}: ${error}`);
    }
  });

  it('permutations that keep some axes together, none, or all', () => {
    const perms = [[1, 0, 2, 3, 4], [0, 2, 3, 1, 4], [4, 3, 2, 1, 0], [2, 3, 4, 0, 1], [0, 1, 2, 3, 4], [3, 4, 0, 1, 2], [0, 4, 1, 2, 3]];
    for (const perm of perms) {
      const { error, shapes } = compareBackends([{ shape: [3, 4, 2, 5, 6], seed: 3 }], (x) => tf.transpose(x!, perm));
      log.add('Transpose rank 5', error);
      assert.ok(error === 0, `${perm}: ${error} ${JSON.stringify(shapes)}`);
    }
    for (const perm of [[5, 0, 1, 2, 3, 4], [1, 2, 0, 4, 5, 3]]) {
      const { error } = compareBackends([{ shape: [2, 3, 2, 2, 3, 2], seed: 4 }], (x) => tf.transpose(x!, perm));
      log.add('Transpose rank 6', error);
      assert.ok(error === 0, `${perm}: ${error}`);
    }
    const { error } = compareBackends([{ shape: [3, 4, 5], seed: 5 }], (x) => tf.transpose(x!, [1, 2, 0]));
    assert.ok(error === 0);
  });

  it('gradients through rank-5 slices and transposes', () => {
    const { error } = compareBackends([{ shape: [2, 4, 3, 5, 2], seed: 6 }], (x) =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.transpose(tf.slice(t, [0, 1, 0, 0, 0], [2, 2, 3, 5, 2]), [1, 0, 2, 3, 4]))))(x!),
    );
    log.add('gradients', error);
    assert.ok(error < 1e-6, `${error}`);
  });
});
