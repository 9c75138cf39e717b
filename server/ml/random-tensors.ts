/** Random tensors drawn from a seeded Rng on the JS side, so they are identical on every backend. */
import { tf } from './tf.js';
import type { Rng } from './random.js';

/** Latent vectors z ~ N(0, 1): [batch, latentSize], identical on every backend for the same rng state. */
export function latentNormal(rng: Rng, batch: number, latentSize: number): tf.Tensor2D {
  return tf.tensor2d(rng.normalArray(batch * latentSize), [batch, latentSize]);
}

/** Uniform random class indices [batch] (int32), e.g. pitches for a conditioned generator. */
export function randomLabels(rng: Rng, batch: number, classCount: number): tf.Tensor1D {
  return tf.tensor1d(rng.intArray(batch, classCount), 'int32');
}
