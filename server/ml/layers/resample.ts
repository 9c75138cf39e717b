/**
 * Nearest-neighbour 2x upsampling and 2x2 average pooling over NHWC tensors. `kernel` (default) uses
 * tf.image.resizeNearestNeighbor / tf.avgPool, whose gradients and double-backprop gradients server/ml/kernels
 * fixes or registers (stock tfjs 4.22 lacks them and cpu's ResizeNearestNeighborGrad is wrong for batch > 1);
 * it is the faster one on wasm. `reshape` builds them from reshape, concat and sum, correct on any tfjs.
 */
import { tf } from '../tf.js';

export type ResampleMethod = 'reshape' | 'kernel';

export interface ResampleOptions {
  method: ResampleMethod;
}

export const RESAMPLE_DEFAULTS: ResampleOptions = { method: 'kernel' };

/** [b, h, w, c] -> [b, 2h, 2w, c], each pixel repeated in a 2x2 block. */
export function upsampleNearest2x(x: tf.Tensor4D, options: Partial<ResampleOptions> = {}): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if ({ ...RESAMPLE_DEFAULTS, ...options }.method === 'kernel') return tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]);
  return tf.tidy(() => {
    const cols = tf.reshape(x, [b * h * w, 1, c]);
    const wide = tf.reshape(tf.concat([cols, cols], 1), [b * h, 1, 2 * w * c]); // each pixel twice along w
    return tf.reshape(tf.concat([wide, wide], 1), [b, 2 * h, 2 * w, c]); // each row twice along h
  });
}

/** [b, h, w, c] -> [b, h/2, w/2, c], the mean of each 2x2 block (h and w must be even). */
export function avgPool2x(x: tf.Tensor4D, options: Partial<ResampleOptions> = {}): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new RangeError(`avgPool2x needs even height and width, got ${h}x${w}`);
  if ({ ...RESAMPLE_DEFAULTS, ...options }.method === 'kernel') return tf.avgPool(x, 2, 2, 'valid');
  return tf.tidy(() => {
    const rows = tf.sum(tf.reshape(x, [(b * h) / 2, 2, w * c]), 1); // pairs of rows
    const blocks = tf.sum(tf.reshape(rows, [(b * h * w) / 4, 2, c]), 1); // pairs of columns
    return tf.reshape(tf.mul(blocks, 0.25), [b, h / 2, w / 2, c]);
  });
}
