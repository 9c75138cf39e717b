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
 * The generator's output from its parts: notes times the bar's activity gate, each through the same output mode, so
 * in binary mode the critic sees a hard 0/1 roll and the gate learns, straight through, from every note it lets on.
 */
export function gatedOutput(notes: tf.Tensor4D, gate: tf.Tensor4D | null, mode: OutputMode): tf.Tensor4D {
  const out = generatorOutput(notes, mode);
  return gate ? (tf.mul(out, generatorOutput(gate, mode)) as tf.Tensor4D) : out;
}

/** Generation: 1 where sigmoid(logit) > threshold (equivalently logit > log(T / (1 - T))). */
export function thresholdProbabilities(probabilities: Float32Array, threshold: number): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) out[i] = probabilities[i]! > threshold ? 1 : 0;
  return out;
}
