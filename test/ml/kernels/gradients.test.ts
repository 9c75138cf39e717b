import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { compareBackends, compareBackendsSuite, onBackend, seededValues, type TestBackend } from './compare.js';

type Tensor = tf.Tensor;
type Shape = number[];

/**
 * A scalar built from a first-order gradient, the shape of WGAN-GP's penalty: P = <d/d(args) sum(op(args) * w), r>.
 * Differentiating P walks through the gradient kernels' own gradients (the ones this project registers).
 */
function penaltyOf(op: (...args: Tensor[]) => Tensor, arity: number) {
  return (...t: Tensor[]): Tensor => {
    const args = t.slice(0, arity);
    const weights = t[arity]!;
    const probes = t.slice(arity + 1);
    const inner = tf.grads((...a: Tensor[]) => tf.sum(tf.mul(op(...a), weights)));
    const firstOrder = inner(args);
    return tf.addN(firstOrder.map((g, i) => tf.sum(tf.mul(g, probes[i]!))));
  };
}

interface GradCase {
  name: string;
  /** Shapes of the op's arguments. */
  args: Shape[];
  op: (...args: Tensor[]) => Tensor;
  /**
   * The penalty depends on the args only through a piecewise-constant mask (leakyRelu): finite differences would
   * jump across kinks, so the args are held fixed and their gradient must be exactly zero instead.
   */
  maskedArgs?: boolean;
}

const CASES: GradCase[] = [
  {
    name: 'conv2d s2 same (Conv2DBackpropFilter / Conv2DBackpropInput grads)',
    args: [[2, 7, 6, 3], [3, 3, 3, 4]],
    op: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'),
  },
  {
    name: 'conv2dTranspose s2 (conv2d-transposed layers)',
    args: [[2, 4, 3, 4], [4, 4, 3, 4]],
    op: (dy, f) => tf.conv2dTranspose(dy as tf.Tensor4D, f as tf.Tensor4D, [2, 8, 6, 3], 2, 'same'),
  },
  {
    name: 'conv3d s(1,2,2) same (Conv3DBackpropInputV2 / Conv3DBackpropFilterV2 grads)',
    args: [[2, 3, 5, 6, 2], [3, 3, 2, 2, 3]],
    op: (x, f) => tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, [1, 2, 2], 'same'),
  },
  {
    name: 'conv3dTranspose s2 (Conv3DBackpropInputV2 grad)',
    args: [[2, 2, 3, 3, 3], [4, 4, 4, 2, 3]],
    op: (dy, f) => tf.conv3dTranspose(dy as tf.Tensor5D, f as tf.Tensor5D, [2, 4, 6, 6, 2], 2, 'same'),
  },
  {
    name: 'avgPool 2x2 s2 valid (AvgPoolGrad grad)',
    args: [[2, 6, 8, 3]],
    op: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'),
  },
  {
    name: 'avgPool 3x3 s1 same, clipped windows (AvgPoolGrad grad)',
    args: [[2, 5, 4, 2]],
    op: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same'),
  },
  {
    name: 'nearest upsample x2 (ResizeNearestNeighborGrad grad)',
    args: [[2, 3, 5, 2]],
    op: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 10]),
  },
  {
    name: 'nearest resize 5x7, halfPixelCenters',
    args: [[2, 3, 4, 2]],
    op: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [5, 7], false, true),
  },
  {
    name: 'bilinear upsample x2, halfPixelCenters (ResizeBilinearGrad grad)',
    args: [[2, 3, 5, 2]],
    op: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [6, 10], false, true),
  },
  {
    name: 'bilinear resize 5x7, alignCorners',
    args: [[2, 3, 4, 2]],
    op: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [5, 7], true),
  },
  {
    name: 'leakyRelu (Greater grad)',
    args: [[2, 4, 5, 3]],
    op: (x) => tf.leakyRelu(x, 0.2),
    maskedArgs: true,
  },
];

/** Shapes of every input of the penalty: args, then w (op output shape), then one probe per arg. */
function penaltyShapes(c: GradCase): Shape[] {
  const outShape = tf.tidy(() => c.op(...c.args.map((s) => tf.zeros(s))).shape);
  return [...c.args, outShape, ...c.args];
}

/** <grad P, v> against the central difference of P along v (exact for the piecewise-polynomial P here). */
function directionalError(backend: TestBackend, c: GradCase, seed: number): number {
  const shapes = penaltyShapes(c);
  const penalty = penaltyOf(c.op, c.args.length);
  return onBackend(backend, () =>
    tf.tidy(() => {
      const make = (s: Shape, k: number) => tf.tensor(seededValues(s.reduce((a, b) => a * b, 1), k), s);
      const params = shapes.map((s, i) => make(s, seed + i));
      const held = (i: number) => c.maskedArgs === true && i < c.args.length;
      const directions = shapes.map((s, i) => (held(i) ? tf.zeros(s) : make(s, seed + 100 + i)));
      const grads = tf.grads(penalty)(params);
      for (const [i, g] of grads.entries()) {
        if (held(i) && tf.any(tf.notEqual(g, 0)).dataSync()[0]) return Infinity;
      }
      const analytic = tf.addN(grads.map((g, i) => tf.sum(tf.mul(g, directions[i]!)))).dataSync()[0]!;
      const eps = 1e-2;
      const shifted = (sign: number) => penalty(...params.map((p, i) => tf.add(p, tf.mul(directions[i]!, sign * eps))));
      const numeric = (shifted(1).dataSync()[0]! - shifted(-1).dataSync()[0]!) / (2 * eps);
      return Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-3);
    }),
  );
}

describe('registered gradients: second order (WGAN-GP) and conv3dTranspose', function () {
  const log = compareBackendsSuite();

  for (const [i, c] of CASES.entries()) {
    it(`${c.name}: gradient of the gradient matches finite differences on cpu and wasm, and wasm matches cpu`, () => {
      for (const backend of ['cpu', 'wasm'] as const) {
        const error = directionalError(backend, c, 10 * i + 1);
        log.add(`finite-difference ${backend}`, error);
        assert.ok(error < 2e-3, `${backend}: directional derivative off by ${error}`);
      }
      const shapes = penaltyShapes(c);
      const { error } = compareBackends(
        shapes.map((shape, k) => ({ shape, seed: 10 * i + 1 + k })),
        (...t) => tf.grads(penaltyOf(c.op, c.args.length))(t),
      );
      log.add('wasm vs cpu', error);
      assert.ok(error < 1e-4, `wasm vs cpu relative error ${error}`);
    });
  }

  it('resize gradients are the adjoint of the forward resize (non-square, batch 2, both backends)', () => {
    const settings: [boolean, boolean][] = [[false, false], [true, false], [false, true]];
    for (const backend of ['cpu', 'wasm'] as const) {
      for (const kind of ['bilinear', 'nearest'] as const) {
        for (const [alignCorners, halfPixelCenters] of settings) {
          for (const size of [[8, 10], [5, 7], [3, 3], [12, 15], [16, 5]] as [number, number][]) {
            const error = onBackend(backend, () =>
              tf.tidy(() => {
                const x = tf.tensor4d(seededValues(2 * 4 * 5 * 3, 7), [2, 4, 5, 3]);
                const w = tf.tensor4d(seededValues(2 * size[0] * size[1] * 3, 8), [2, ...size, 3]);
                const resize = (t: tf.Tensor4D) =>
                  kind === 'bilinear'
                    ? tf.image.resizeBilinear(t, size, alignCorners, halfPixelCenters)
                    : tf.image.resizeNearestNeighbor(t, size, alignCorners, halfPixelCenters);
                const forward = tf.sum(tf.mul(resize(x), w)).dataSync()[0]!;
                const adjoint = tf.sum(tf.mul(x, tf.grad((t: tf.Tensor) => tf.sum(tf.mul(resize(t as tf.Tensor4D), w)))(x))).dataSync()[0]!;
                // Relative to the size of the summed terms: the sums themselves may cancel.
                const scale = tf.sum(tf.abs(tf.mul(resize(x), w))).dataSync()[0]!;
                return Math.abs(forward - adjoint) / scale;
              }),
            );
            log.add(`resize adjoint ${backend}`, error);
            assert.ok(error < 1e-5, `${backend} ${kind} ${alignCorners}/${halfPixelCenters} ${size}: ${error}`);
          }
        }
      }
    }
  });
});
