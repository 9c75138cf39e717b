/**
 * Binarisation as BinaryMuseGAN: deterministic binary neurons (DBNs) trained with the sigmoid-adjusted
 * straight-through estimator. Forward: 1 where sigmoid(logit) > 0.5, else 0, so the critic only ever sees
 * binary rolls, fake and real alike (a real-valued fake is trivially told from a binary real one). Backward: the
 * gradient of sigmoid(logit), as if the threshold were the identity.
 *
 * Training can start real-valued (plain sigmoid) and switch to DBNs later (BinaryMuseGAN's "pretrain, then refine
 * with binary neurons"); generation always thresholds sigmoid(logit), at 0.5 unless the caller picks another T.
 */
import { tf } from '../ml/tf.js';

const straightThrough = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const p = inputs[0] as tf.Tensor;
  return { value: tf.cast(tf.greater(p, 0.5), 'float32'), gradFunc: (dy: tf.Tensor) => [dy] };
}) as (p: tf.Tensor) => tf.Tensor;

export type OutputMode = 'sigmoid' | 'binary';

/** Logits -> the generator's output: probabilities ('sigmoid') or binary neurons with straight-through gradients. */
export function generatorOutput<T extends tf.Tensor>(logits: T, mode: OutputMode): T {
  const p = tf.sigmoid(logits);
  return (mode === 'binary' ? straightThrough(p) : p) as T;
}

/**
 * Binary notes times the binary gate, with the straight-through gradient of the product of the probabilities:
 * notes [n, steps, pitches, tracks] and gate [n, 1, 1, tracks], both sigmoid outputs. Taking the backward pass from
 * the probabilities (not from the 0/1 values) keeps both alive: a bar whose gate is off still teaches its notes, and
 * a gate whose notes are all below threshold still hears the critic. (The product of the two binary neurons' own
 * straight-through gradients is zero on both sides of a closed gate, and a track could fall silent for good: it did
 * for drums within 200 steps.)
 */
const straightThroughProduct = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const notes = inputs[0] as tf.Tensor4D;
  const gate = inputs[1] as tf.Tensor4D;
  const save = inputs[2] as tf.GradSaveFunc;
  save([notes, gate]);
  const value = tf.mul(tf.cast(tf.greater(notes, 0.5), 'float32'), tf.cast(tf.greater(gate, 0.5), 'float32'));
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [p, g] = saved as [tf.Tensor4D, tf.Tensor4D];
      return [tf.mul(dy, g), tf.sum(tf.mul(dy, p), [1, 2], true)];
    },
  };
}) as (notes: tf.Tensor4D, gate: tf.Tensor4D) => tf.Tensor4D;

/**
 * The generator's output from its parts: notes times the bar's activity gate. 'sigmoid': the product of the
 * probabilities. 'binary': 1 where both binary neurons fire, so the critic sees a hard 0/1 roll, with the product's
 * straight-through gradient (above).
 */
export function gatedOutput(notes: tf.Tensor4D, gate: tf.Tensor4D | null, mode: OutputMode): tf.Tensor4D {
  if (!gate) return generatorOutput(notes, mode);
  const p = tf.sigmoid(notes);
  const g = tf.sigmoid(gate);
  return mode === 'binary' ? straightThroughProduct(p, g) : (tf.mul(p, g) as tf.Tensor4D);
}

/** Generation: 1 where sigmoid(logit) > threshold (equivalently logit > log(T / (1 - T))). */
export function thresholdProbabilities(probabilities: Float32Array, threshold: number): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) out[i] = probabilities[i]! > threshold ? 1 : 0;
  return out;
}
