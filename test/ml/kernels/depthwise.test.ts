import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { compareBackends, compareBackendsSuite } from './compare.js';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface Case {
  input: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

const TOLERANCE = 1e-4;

/** Strides 1/2/mixed or dilation 2 (tfjs allows one of them > 1), channel multiplier 1 and 2, three paddings. */
function cases(): Case[] {
  const out: Case[] = [];
  const geometry: [[number, number], [number, number]][] = [[[1, 1], [1, 1]], [[2, 2], [1, 1]], [[2, 1], [1, 1]], [[1, 1], [2, 2]], [[1, 1], [1, 2]]];
  for (const [h, w] of [[7, 9], [8, 6]] as [number, number][]) {
    for (const [fh, fw] of [[3, 3], [2, 3]] as [number, number][]) {
      for (const multiplier of [1, 2]) {
        for (const [strides, dilations] of geometry) {
          for (const pad of ['same', 'valid', [[0, 0], [1, 2], [0, 1], [0, 0]]] as Pad[]) {
            out.push({ input: [2, h, w, 3], filter: [fh, fw, 3, multiplier], strides, dilations, pad });
          }
        }
      }
    }
  }
  return out;
}

function outputShape(c: Case): number[] {
  return tf.tidy(() => tf.depthwiseConv2d(tf.zeros(c.input) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations).shape);
}

describe('wasm depthwise conv and its backprop kernels match cpu', function () {
  const log = compareBackendsSuite();

  it('DepthwiseConv2dNative (stock), BackpropInput and BackpropFilter over strides, paddings, multipliers', () => {
    // cpu's depthwise backprop kernels ignore dilations (see the adjoint test below); tfjs' gradient never
    // passes a dilation > 1 to them, so only undilated cases have a cpu reference.
    for (const [i, c] of cases().filter((k) => k.dilations.every((d) => d === 1)).entries()) {
      const dyShape = outputShape(c);
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      const forward = compareBackends([{ shape: c.input, seed: i + 1 }, { shape: c.filter, seed: 300 + i }], (x, f) =>
        tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations),
      ).error;
      const input = compareBackends([{ shape: dyShape, seed: i + 2 }, { shape: c.filter, seed: 600 + i }], (dy, f) =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: f }, { ...attrs, inputShape: c.input } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ).error;
      const filter = compareBackends([{ shape: c.input, seed: i + 3 }, { shape: dyShape, seed: 900 + i }], (x, dy) =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, { ...attrs, filterShape: c.filter } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ).error;
      log.add('DepthwiseConv2dNative', forward);
      log.add('DepthwiseConv2dNativeBackpropInput', input);
      log.add('DepthwiseConv2dNativeBackpropFilter', filter);
      assert.ok(Math.max(forward, input, filter) < TOLERANCE, `${JSON.stringify(c)}: ${forward} ${input} ${filter}`);
    }
  });

  it('with dilation, wasm backprops are the exact adjoints of the forward conv (cpu ignores dilation here)', () => {
    const previousBackend = tf.getBackend();
    tf.setBackend('wasm');
    try {
      for (const c of cases().filter((k) => k.dilations.some((d) => d > 1))) {
        const gaps = tf.tidy(() => {
          const x = tf.randomNormal(c.input, 0, 1, 'float32', 1);
          const f = tf.randomNormal(c.filter, 0, 1, 'float32', 2);
          const y = tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations);
          const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
          const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
          const dx = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: f }, { ...attrs, inputShape: c.input } as unknown as tf.NamedAttrMap) as tf.Tensor;
          const df = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, { ...attrs, filterShape: c.filter } as unknown as tf.NamedAttrMap) as tf.Tensor;
          const scale = tf.sum(tf.abs(tf.mul(y, dy))).dataSync()[0]!;
          const forward = tf.sum(tf.mul(y, dy)).dataSync()[0]!;
          return [tf.sum(tf.mul(x, dx)), tf.sum(tf.mul(f, df))].map((t) => Math.abs(t.dataSync()[0]! - forward) / scale);
        });
        log.add('dilated adjoint', Math.max(...gaps));
        assert.ok(Math.max(...gaps) < 1e-5, `${JSON.stringify(c)}: ${gaps}`);
      }
    } finally {
      tf.setBackend(previousBackend);
    }
  });

  it('second-order gradients through a depthwise conv agree', () => {
    const { error } = compareBackends(
      [{ shape: [2, 7, 6, 3], seed: 1 }, { shape: [3, 3, 3, 2], seed: 2 }, { shape: [2, 4, 3, 6], seed: 3 }],
      (x, f, w) => {
        const penalty = (a: tf.Tensor, b: tf.Tensor) => {
          const [gx, gf] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
            tf.sum(tf.mul(tf.depthwiseConv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same'), w!)),
          )([a, b]);
          return tf.add(tf.sum(tf.square(gx!)), tf.sum(tf.square(gf!)));
        };
        return tf.grads(penalty)([x!, f!]);
      },
    );
    log.add('second order', error);
    assert.ok(error < TOLERANCE, `${error}`);
  });
});
