/** ProGAN's normalisations: pixel norm (generator) and minibatch standard deviation (discriminator). */
import { tf } from '../tf.js';

export const PIXEL_NORM_EPSILON = 1e-8;

/** Scales each feature vector to unit RMS over the last (channel) axis: x / √(mean(x², -1) + ε). Any shape. */
export function pixelNorm<T extends tf.Tensor>(x: T, epsilon = PIXEL_NORM_EPSILON): T {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), epsilon))) as T);
}

export interface MinibatchStddevOptions {
  /** Samples per statistics group (ProGAN uses 4); the batch must be a multiple of min(groupSize, batch). */
  groupSize: number;
  epsilon: number;
}

export const MINIBATCH_STDDEV_DEFAULTS: MinibatchStddevOptions = { groupSize: 4, epsilon: 1e-8 };

/**
 * Appends one channel holding, for each sample, the mean over all features of the standard deviation across
 * its group: [b, ..., c] -> [b, ..., c + 1]. Sample n belongs to group column n % (b / groupSize), as in ProGAN.
 * Works on rank-3 views only (rank >= 5 ops are slow on wasm).
 */
export function minibatchStddev<T extends tf.Tensor>(x: T, options: Partial<MinibatchStddevOptions> = {}): T {
  const o = { ...MINIBATCH_STDDEV_DEFAULTS, ...options };
  const batch = x.shape[0]!;
  const group = Math.min(o.groupSize, batch);
  if (batch % group !== 0) {
    throw new RangeError(`minibatchStddev: batch ${batch} is not a multiple of the group size ${group}`);
  }
  const columns = batch / group;
  const features = x.size / batch;
  const channels = x.shape[x.rank - 1]!;
  const positions = features / channels;
  return tf.tidy(() => {
    const grouped = tf.reshape(x, [group, columns, features]);
    const centred = tf.sub(grouped, tf.mean(grouped, 0, true));
    const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 0), o.epsilon)); // [columns, features]
    const perColumn = tf.mean(std, 1, true); // [columns, 1]
    const perSample = tf.tile(perColumn, [group, 1]); // [batch, 1], row n = column n % columns
    const channel = tf.tile(tf.reshape(perSample, [batch, 1, 1]), [1, positions, 1]);
    const joined = tf.concat([tf.reshape(x, [batch, positions, channels]), channel], 2);
    return tf.reshape(joined, [...x.shape.slice(0, -1), channels + 1]) as T;
  });
}
