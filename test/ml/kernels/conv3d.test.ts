import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { compareBackends, compareBackendsSuite } from './compare.js';

type Shape5 = [number, number, number, number, number];
type Strides3 = [number, number, number];

const TOLERANCE = 1e-4;

interface Case {
  input: Shape5;
  filter: Shape5;
  strides: Strides3;
  pad: 'same' | 'valid';
}

/** Depth 2-4 like a piano roll's bars; odd and even sizes; the loop GAN's strides; batch 2, 3 -> 4 channels. */
function cases(): Case[] {
  const out: Case[] = [];
  const sizes: [number, number, number][] = [[4, 7, 9], [3, 6, 5]];
  const filters: [number, number, number][] = [[3, 3, 3], [1, 1, 1], [4, 4, 4], [3, 4, 3], [2, 1, 3]];
  const strides: Strides3[] = [[1, 1, 1], [2, 2, 2], [1, 2, 3], [1, 2, 1], [2, 1, 2]];
  for (const [d, h, w] of sizes) {
    for (const [fd, fh, fw] of filters) {
      for (const s of strides) {
        for (const pad of ['same', 'valid'] as const) {
          if (pad === 'valid' && (fd > d || fh > h || fw > w)) continue;
          out.push({ input: [2, d, h, w, 3], filter: [fd, fh, fw, 3, 4], strides: s, pad });
        }
      }
    }
  }
  return out;
}

function outputShape(c: Case): number[] {
  return tf.tidy(() => tf.conv3d(tf.zeros(c.input) as tf.Tensor5D, tf.zeros(c.filter) as tf.Tensor5D, c.strides, c.pad).shape);
}

describe('wasm 3-D conv kernels (sums of 2-D convs over depth taps) match cpu', function () {
  const log = compareBackendsSuite();

  it('Conv3D over strides, paddings and odd sizes', () => {
    for (const [i, c] of cases().entries()) {
      const { error } = compareBackends([{ shape: c.input, seed: i + 1 }, { shape: c.filter, seed: 500 + i }], (x, f) =>
        tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, c.strides, c.pad),
      );
      log.add('Conv3D', error);
      assert.ok(error < TOLERANCE, `${JSON.stringify(c)}: relative error ${error}`);
    }
  });

  it('Conv3D with dilations', () => {
    for (const [i, dilations] of ([[2, 1, 1], [1, 2, 2], [2, 2, 3]] as Strides3[]).entries()) {
      const { error } = compareBackends([{ shape: [2, 5, 7, 8, 3], seed: i + 1 }, { shape: [2, 3, 2, 3, 4], seed: 9 }], (x, f) =>
        tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, 1, 'same', 'NDHWC', dilations),
      );
      log.add('Conv3D dilated', error);
      assert.ok(error < TOLERANCE, `dilations ${dilations}: relative error ${error}`);
    }
  });

  it('Conv3DBackpropInputV2 (conv3dTranspose) over strides, paddings and odd sizes', () => {
    for (const [i, c] of cases().entries()) {
      const { error } = compareBackends([{ shape: outputShape(c), seed: i + 1 }, { shape: c.filter, seed: 700 + i }], (dy, f) =>
        tf.conv3dTranspose(dy as tf.Tensor5D, f as tf.Tensor5D, c.input, c.strides, c.pad),
      );
      log.add('Conv3DBackpropInputV2', error);
      assert.ok(error < TOLERANCE, `${JSON.stringify(c)}: relative error ${error}`);
    }
  });

  it('Conv3DBackpropFilterV2 over strides, paddings and odd sizes', () => {
    for (const [i, c] of cases().entries()) {
      const { error } = compareBackends([{ shape: c.input, seed: i + 1 }, { shape: outputShape(c), seed: 900 + i }], (x, dy) => {
        const attrs = { strides: c.strides, pad: c.pad, filterShape: c.filter };
        return tf.engine().runKernel(tf.Conv3DBackpropFilterV2, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      });
      log.add('Conv3DBackpropFilterV2', error);
      assert.ok(error < TOLERANCE, `${JSON.stringify(c)}: relative error ${error}`);
    }
  });

  it("handles tfjs' negative 3-D 'same' padding (filter smaller than stride, even sizes) like cpu", () => {
    const cases: Case[] = [
      { input: [2, 4, 6, 6, 3], filter: [1, 1, 1, 3, 4], strides: [2, 2, 2], pad: 'same' },
      { input: [2, 4, 6, 8, 3], filter: [1, 2, 1, 3, 4], strides: [2, 3, 2], pad: 'same' },
    ];
    for (const [i, c] of cases.entries()) {
      const padInfo = tf.backend_util.computeConv3DInfo(c.input, c.filter, c.strides, 1, c.pad).padInfo;
      assert.ok(padInfo.front < 0 && padInfo.top < 0, 'the case really has negative padding');
      const errors = [
        compareBackends([{ shape: c.input, seed: i + 1 }, { shape: c.filter, seed: 2 }], (x, f) =>
          tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, c.strides, c.pad),
        ).error,
        compareBackends([{ shape: outputShape(c), seed: i + 3 }, { shape: c.filter, seed: 4 }], (dy, f) =>
          tf.conv3dTranspose(dy as tf.Tensor5D, f as tf.Tensor5D, c.input, c.strides, c.pad),
        ).error,
        compareBackends([{ shape: c.input, seed: i + 5 }, { shape: outputShape(c), seed: 6 }], (x, dy) => {
          const attrs = { strides: c.strides, pad: c.pad, filterShape: c.filter };
          return tf.engine().runKernel(tf.Conv3DBackpropFilterV2, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        }).error,
      ];
      log.add('negative padding', Math.max(...errors));
      assert.ok(errors.every((e) => e < TOLERANCE), `${JSON.stringify(c)}: ${errors}`);
    }
  });

  it('frees every intermediate', () => {
    const wasm = tf.findBackend('wasm') as unknown as { numDataIds(): number };
    const before = { tensors: tf.memory().numTensors, buffers: wasm.numDataIds() };
    compareBackends([{ shape: [2, 4, 6, 5, 3], seed: 1 }, { shape: [3, 4, 3, 3, 2], seed: 2 }], (x, f) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.conv3dTranspose(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, [1, 2, 2], 'same'), b as tf.Tensor5D, [2, 4, 6, 5, 3], [1, 2, 2], 'same').sum(),
      )([x!, f!]),
    );
    assert.deepEqual({ tensors: tf.memory().numTensors, buffers: wasm.numDataIds() }, before);
  });
});
