/**
 * GAN losses over discriminator logits ([batch, 1] or [batch]) and the WGAN-GP gradient penalty.
 * All return scalars; call them inside tf.tidy / ParamStore.gradients.
 */
import { tf } from './tf.js';
import { Rng } from './random.js';

/** Non-saturating discriminator loss: mean softplus(-real) + mean softplus(fake). */
export function nonSaturatingDLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.add(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits)));
}

/** Non-saturating generator loss: mean softplus(-fake). */
export function nonSaturatingGLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.mean(tf.softplus(tf.neg(fakeLogits)));
}

/** Wasserstein critic loss: mean(fake) - mean(real). */
export function wassersteinDLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.sub(tf.mean(fakeScores), tf.mean(realScores));
}

/** Wasserstein generator loss: -mean(fake). */
export function wassersteinGLoss(fakeScores: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(fakeScores));
}

/** Small drift term of ProGAN's WGAN-GP (keeps critic scores near 0): weight * mean(real²). */
export function driftPenalty(realScores: tf.Tensor, weight = 1e-3): tf.Scalar {
  return tf.mul(tf.mean(tf.square(realScores)), weight);
}

/**
 * Softmax cross-entropy of class logits [batch, classes] against integer labels [batch] (int32) or one-hot /
 * soft targets [batch, classes]; mean over the batch. Used for AC-GAN's auxiliary (e.g. pitch) classifier.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D | tf.Tensor2D): tf.Scalar {
  const classes = logits.shape[1];
  const targets = labels.rank === 1 ? tf.oneHot(tf.cast(labels, 'int32'), classes) : labels;
  const logProbs = tf.logSoftmax(logits);
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, logProbs), 1)));
}

export interface GradientPenaltyOptions {
  /** λ of WGAN-GP. */
  weight: number;
  /** Target gradient norm. */
  target: number;
  /** Interpolation weights per sample [batch] in [0, 1]; drawn from `rng` when omitted. */
  alphas?: Float32Array;
  /** Source of the interpolation weights; a fixed seed when omitted. */
  rng?: Rng;
}

export const GRADIENT_PENALTY_DEFAULTS: GradientPenaltyOptions = { weight: 10, target: 1 };

/**
 * WGAN-GP: weight * mean((‖∇ₓ critic(x̂)‖₂ - target)²) at x̂ = α·real + (1-α)·fake, α ~ U(0,1) per sample.
 * Differentiating the result w.r.t. the critic's parameters is a second-order gradient through the critic.
 * `critic` maps a batch like `real` to scores [batch, 1] or [batch].
 * Caveat (tfjs 4.22 engine): second-order gradients are silently wrong through ops whose gradient reads their own
 * output (Tanh, Sigmoid, Exp, Softmax, LogSoftmax, Pow, Elu, Max, Min, MaxPool): the engine records the saved
 * output's clone on the tape before the op itself. Keep those out of the critic (leaky ReLU, conv, dense, sqrt are fine).
 */
export function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  options: Partial<GradientPenaltyOptions> = {},
): tf.Scalar {
  const o = { ...GRADIENT_PENALTY_DEFAULTS, ...options };
  const batch = real.shape[0]!;
  const alphas = o.alphas ?? (o.rng ?? new Rng(0x9e47)).uniformArray(batch);
  if (alphas.length !== batch) throw new RangeError(`gradientPenalty: ${alphas.length} alphas for a batch of ${batch}`);
  const alpha = tf.tensor(alphas, [batch, ...new Array<number>(real.rank - 1).fill(1)]);
  const mixed = tf.add(tf.mul(alpha, real), tf.mul(tf.sub(1, alpha), fake));
  const slopes = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(mixed);
  const squared = tf.sum(tf.square(tf.reshape(slopes, [batch, -1])), 1);
  // The tiny offset keeps sqrt's derivative finite where a gradient vanishes.
  const norms = tf.sqrt(tf.add(squared, 1e-12));
  return tf.mul(tf.mean(tf.square(tf.sub(norms, o.target))), o.weight);
}
