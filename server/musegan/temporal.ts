/**
 * MuseGAN's temporal generators: one latent per phrase -> one vector per bar, so bars of a phrase differ but
 * belong together. A shared one (inter-track, composer/hybrid) and one per track (intra-track, jamming/hybrid),
 * the per-track ones as instances.
 */
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { leakyRelu } from '../ml/layers/activations.js';
import { pixelNorm } from '../ml/layers/normalization.js';
import { instanceDense } from './block-layers.js';

export interface TemporalOptions {
  bars: number;
  hidden: number;
}

/**
 * Per instance [batch, dim] -> [batch*bars, dim] (row = sample * bars + bar):
 * dense(bars*hidden) -> leaky ReLU -> per bar dense(dim) -> pixel norm (unit RMS, like the latent it replaces).
 */
export function temporalGenerator(p: ParamStore, scope: string, z: tf.Tensor2D[], options: TemporalOptions): tf.Tensor2D[] {
  const [batch, dim] = z[0]!.shape;
  const h = instanceDense(p, `${scope}/expand`, z.length, [z], options.bars * options.hidden).map((hi) =>
    tf.reshape(leakyRelu(hi), [batch * options.bars, options.hidden]) as tf.Tensor2D,
  );
  return instanceDense(p, `${scope}/bar`, z.length, [h], dim).map((y) => pixelNorm(y));
}

/** [batch, dim] -> [batch*bars, dim]: a phrase-level vector repeated for every bar. */
export function repeatPerBar(x: tf.Tensor2D, bars: number): tf.Tensor2D {
  const [batch, dim] = x.shape;
  return tf.reshape(tf.tile(tf.reshape(x, [batch, 1, dim]), [1, bars, 1]), [batch * bars, dim]);
}
