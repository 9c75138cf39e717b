import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { compareBackends, compareBackendsSuite } from './compare.js';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
type Strides = [number, number];

const TOLERANCE = 1e-4;

interface Case {
  input: [number, number, number, number];
  filter: [number, number, number, number];
  strides: Strides;
  pad: Pad;
}

/** Odd and even sizes, 1x1 to 5x3 filters, strides 1/2/3 and mixed, same/valid/explicit, batch 2, 3 -> 4 channels. */
function cases(): Case[] {
  const out: Case[] = [];
  const sizes: [number, number][] = [[7, 9], [8, 6]];
  const filters: [number, number][] = [[3, 3], [1, 1], [4, 4], [2, 3], [5, 3]];
  const strides: Strides[] = [[1, 1], [2, 2], [2, 1], [1, 3], [3, 3]];
  const pads: Pad[] = ['same', 'valid', [[0, 0], [1, 2], [0, 1], [0, 0]]];
  for (const [h, w] of sizes) {
    for (const [fh, fw] of filters) {
      for (const s of strides) {
        for (const pad of pads) {
          if (pad === 'valid' && (fh > h || fw > w)) continue;
          out.push({ input: [2, h, w, 3], filter: [fh, fw, 3, 4], strides: s, pad });
        }
      }
    }
  }
  return out;
}

function outputShape(c: Case): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.input) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad).shape);
}

describe('wasm 2-D conv backprop kernels match cpu', function () {
  const log = compareBackendsSuite();

  it('Conv2DBackpropInput (conv2dTranspose) over strides, paddings and odd sizes', () => {
    const all = cases();
    assert.ok(all.length > 100);
    for (const [i, c] of all.entries()) {
      const dyShape = outputShape(c);
      const { error } = compareBackends(
        [{ shape: dyShape, seed: i + 1 }, { shape: c.filter, seed: 1000 + i }],
        (dy, filter) => tf.conv2dTranspose(dy as tf.Tensor4D, filter as tf.Tensor4D, c.input, c.strides, c.pad),
      );
      log.add('Conv2DBackpropInput', error);
      assert.ok(error < TOLERANCE, `${JSON.stringify(c)}: relative error ${error}`);
    }
  });

  it('Conv2DBackpropFilter over strides, paddings and odd sizes', () => {
    for (const [i, c] of cases().entries()) {
      const dyShape = outputShape(c);
      const { error } = compareBackends(
        [{ shape: c.input, seed: i + 1 }, { shape: dyShape, seed: 2000 + i }],
        (x, dy) =>
          tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            filterShape: c.filter,
          }) as tf.Tensor,
      );
      log.add('Conv2DBackpropFilter', error);
      assert.ok(error < TOLERANCE, `${JSON.stringify(c)}: relative error ${error}`);
    }
  });

  it('conv2d gradients (both inputs) agree, including a large batch of pointwise convs', () => {
    const shapes: Case[] = [
      { input: [4, 6, 10, 8], filter: [1, 1, 8, 2], strides: [1, 1], pad: 'same' },
      { input: [3, 9, 5, 2], filter: [3, 3, 2, 5], strides: [2, 2], pad: 'same' },
    ];
    for (const [i, c] of shapes.entries()) {
      const { error } = compareBackends(
        [{ shape: c.input, seed: 50 + i }, { shape: c.filter, seed: 60 + i }],
        (x, f) => {
          const loss = (a: tf.Tensor, b: tf.Tensor) =>
            tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).square().sum();
          return tf.grads(loss)([x!, f!]);
        },
      );
      assert.ok(error < TOLERANCE, `${JSON.stringify(c)}: relative error ${error}`);
    }
  });

  it('frees every intermediate', () => {
    const wasm = tf.findBackend('wasm') as unknown as { numDataIds(): number };
    const before = { tensors: tf.memory().numTensors, buffers: wasm.numDataIds() };
    compareBackends([{ shape: [2, 9, 7, 3], seed: 1 }, { shape: [3, 3, 3, 4], seed: 2 }], (x, f) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').sum())([x!, f!]),
    );
    assert.deepEqual({ tensors: tf.memory().numTensors, buffers: wasm.numDataIds() }, before);
  });
});
