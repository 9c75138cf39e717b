// Two tiny GANs built from plain tfjs ops, shaped like the project's reference networks, to run real training
// steps (non-saturating and WGAN-GP) on each backend. Test helper: small enough for a few-second test.
import { tf } from '../../../server/ml/tf.js';
import { seededValues } from './compare.js';

type Tensor = tf.Tensor;
export type Loss = 'ns' | 'wgangp';

export interface TinyGan {
  generatorVars: tf.Variable[];
  discriminatorVars: tf.Variable[];
  /** Fresh inputs for one step: real batch, latents, conditioning. */
  batch(): { real: Tensor; z: Tensor; labels: Tensor };
  generate(z: Tensor, labels: Tensor): Tensor;
  /** [adversarial score [n, 1], class logits [n, classes] or null]. */
  discriminate(x: Tensor, labels: Tensor): [Tensor, Tensor | null];
}

export function disposeGan(gan: TinyGan): void {
  tf.dispose([...gan.generatorVars, ...gan.discriminatorVars]);
}

const GP_WEIGHT = 10;

/** Deterministic parameter from a seed, scaled like He init. */
function param(shape: number[], seed: number, fanIn: number): tf.Variable {
  const values = seededValues(shape.reduce((a, b) => a * b, 1), seed).map((v) => v * Math.sqrt(3 / fanIn));
  return tf.variable(tf.tensor(values, shape), true);
}

function constant(shape: number[], seed: number, scale = 1): Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed).map((v) => v * scale), shape);
}

/** x / sqrt(mean over channels of x^2 + eps) (ProGAN pixel norm). */
function pixelNorm(x: Tensor): Tensor {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-8)));
}

/** Appends the batch-averaged standard deviation as one more channel (ProGAN minibatch std-dev). */
function minibatchStd(x: Tensor4D): Tensor4D {
  const { variance } = tf.moments(x, 0);
  const std = tf.mean(tf.sqrt(tf.add(variance, 1e-8)));
  const [n, h, w] = x.shape;
  return tf.concat([x, tf.mul(tf.ones([n, h, w, 1]), std)], 3) as Tensor4D;
}
type Tensor4D = tf.Tensor4D;

/**
 * Pitch-conditioned 2-D conv GAN (GANSynth-like): G: z ++ one-hot pitch -> dense 2x4x8 -> [nearest x2, conv3x3,
 * leaky, pixel norm] -> [bilinear x2, conv3x3, leaky, pixel norm] -> conv1x1 -> tanh: [n, 8, 16, 2].
 * D: conv1x1 -> [conv3x3, leaky, avg-pool 2] x2 -> minibatch std -> conv3x3 -> flatten -> dense 1 and dense classes.
 */
export function noteGan(batchSize = 3): TinyGan {
  const [zSize, classes] = [6, 4];
  const g = [
    param([zSize + classes, 2 * 4 * 8], 1, zSize + classes),
    param([3, 3, 8, 6], 2, 72),
    param([3, 3, 6, 4], 3, 54),
    param([1, 1, 4, 2], 4, 4),
  ];
  const d = [
    param([1, 1, 2, 4], 11, 2),
    param([3, 3, 4, 6], 12, 36),
    param([3, 3, 6, 8], 13, 54),
    param([3, 3, 9, 8], 14, 81),
    param([2 * 4 * 8, 1], 15, 64),
    param([2 * 4 * 8, classes], 16, 64),
  ];
  let step = 0;
  return {
    generatorVars: g,
    discriminatorVars: d,
    batch: () => {
      step++;
      const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 2, 3, 0].slice(0, batchSize), 'int32'), classes);
      return { real: tf.tanh(constant([batchSize, 8, 16, 2], 100 + step, 2)), z: constant([batchSize, zSize], 200 + step), labels };
    },
    generate: (z, labels) => {
      let x = tf.leakyRelu(tf.matMul(tf.concat([z, labels], 1), g[0]!), 0.2).reshape([-1, 2, 4, 8]) as Tensor4D;
      x = tf.image.resizeNearestNeighbor(x, [4, 8]);
      x = pixelNorm(tf.leakyRelu(tf.conv2d(x, g[1] as Tensor4D, 1, 'same'), 0.2)) as Tensor4D;
      x = tf.image.resizeBilinear(x, [8, 16], false, true);
      x = pixelNorm(tf.leakyRelu(tf.conv2d(x, g[2] as Tensor4D, 1, 'same'), 0.2)) as Tensor4D;
      return tf.tanh(tf.conv2d(x, g[3] as Tensor4D, 1, 'same'));
    },
    discriminate: (input) => {
      let x = tf.conv2d(input as Tensor4D, d[0] as Tensor4D, 1, 'same');
      x = tf.avgPool(tf.leakyRelu(tf.conv2d(x, d[1] as Tensor4D, 1, 'same'), 0.2) as Tensor4D, 2, 2, 'valid');
      x = tf.avgPool(tf.leakyRelu(tf.conv2d(x, d[2] as Tensor4D, 1, 'same'), 0.2) as Tensor4D, 2, 2, 'valid');
      x = tf.leakyRelu(tf.conv2d(minibatchStd(x), d[3] as Tensor4D, 1, 'same'), 0.2) as Tensor4D;
      const flat = x.reshape([x.shape[0], -1]);
      return [tf.matMul(flat, d[4]!), tf.matMul(flat, d[5]!)];
    },
  };
}

/**
 * Multitrack piano-roll 3-D conv GAN (MuseGAN-like): G: z -> dense [1, 2, 3, 8] (bars, steps, pitches) ->
 * conv3dTranspose k(2,4,4) s2 -> leaky -> conv3dTranspose k(1,4,3) s(1,2,3) -> leaky -> conv1x1x1 -> sigmoid:
 * [n, 2, 8, 18, 3]. D: conv3d k(1,4,3) s(1,2,3) -> leaky -> conv3d k(2,4,4) s2 'valid' -> leaky -> flatten -> dense.
 */
export function loopGan(batchSize = 2): TinyGan {
  const zSize = 6;
  const g = [
    param([zSize, 1 * 2 * 3 * 8], 21, zSize),
    param([2, 4, 4, 6, 8], 22, 256),
    param([1, 4, 3, 4, 6], 23, 72),
    param([1, 1, 1, 4, 3], 24, 4),
  ];
  const d = [param([1, 4, 3, 3, 6], 31, 36), param([2, 4, 4, 6, 8], 32, 192), param([1 * 2 * 3 * 8, 1], 33, 48)];
  let step = 0;
  return {
    generatorVars: g,
    discriminatorVars: d,
    batch: () => {
      step++;
      const real = tf.sigmoid(constant([batchSize, 2, 8, 18, 3], 300 + step, 3));
      return { real, z: constant([batchSize, zSize], 400 + step), labels: tf.zeros([batchSize, 1]) };
    },
    generate: (z) => {
      const n = z.shape[0]!;
      let x = tf.leakyRelu(tf.matMul(z, g[0]!), 0.2).reshape([n, 1, 2, 3, 8]) as tf.Tensor5D;
      x = tf.leakyRelu(tf.conv3dTranspose(x, g[1] as tf.Tensor5D, [n, 2, 4, 6, 6], 2, 'same'), 0.2);
      x = tf.leakyRelu(tf.conv3dTranspose(x, g[2] as tf.Tensor5D, [n, 2, 8, 18, 4], [1, 2, 3], 'same'), 0.2);
      return tf.sigmoid(tf.conv3d(x, g[3] as tf.Tensor5D, 1, 'same'));
    },
    discriminate: (input) => {
      let x = tf.leakyRelu(tf.conv3d(input as tf.Tensor5D, d[0] as tf.Tensor5D, [1, 2, 3], 'same'), 0.2);
      x = tf.leakyRelu(tf.conv3d(x, d[1] as tf.Tensor5D, 2, 'same'), 0.2);
      return [tf.matMul(x.reshape([x.shape[0], -1]), d[2]!), null];
    },
  };
}

function classLoss(labels: Tensor, logits: Tensor | null): Tensor {
  return logits ? tf.losses.softmaxCrossEntropy(labels, logits) : tf.scalar(0);
}

/** WGAN-GP's penalty: (||d D(x_hat) / d x_hat|| - 1)^2 on random interpolates of real and fake (double backprop). */
function gradientPenalty(gan: TinyGan, real: Tensor, fake: Tensor, labels: Tensor): Tensor {
  const mix = constant([real.shape[0]!, ...real.shape.slice(1).map(() => 1)], 999, 0.5).add(0.5);
  const interpolate = tf.add(real, tf.mul(mix, tf.sub(fake, real)));
  const slopes = tf.grad((x: Tensor) => tf.sum(gan.discriminate(x, labels)[0]))(interpolate);
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(slopes.reshape([slopes.shape[0]!, -1])), 1), 1e-12));
  return tf.mul(tf.mean(tf.square(tf.sub(norms, 1))), GP_WEIGHT);
}

export function discriminatorLoss(gan: TinyGan, loss: Loss, inputs: ReturnType<TinyGan['batch']>): Tensor {
  const { real, z, labels } = inputs;
  const fake = gan.generate(z, labels);
  const [realScore, realLogits] = gan.discriminate(real, labels);
  const [fakeScore] = gan.discriminate(fake, labels);
  if (loss === 'ns') {
    const adversarial = tf.add(tf.mean(tf.softplus(tf.neg(realScore))), tf.mean(tf.softplus(fakeScore)));
    return tf.add(adversarial, classLoss(labels, realLogits));
  }
  const critic = tf.sub(tf.mean(fakeScore), tf.mean(realScore));
  return tf.addN([critic, gradientPenalty(gan, real, fake, labels), classLoss(labels, realLogits)]);
}

export function generatorLoss(gan: TinyGan, loss: Loss, inputs: ReturnType<TinyGan['batch']>): Tensor {
  const { z, labels } = inputs;
  const [fakeScore, fakeLogits] = gan.discriminate(gan.generate(z, labels), labels);
  const adversarial = loss === 'ns' ? tf.mean(tf.softplus(tf.neg(fakeScore))) : tf.neg(tf.mean(fakeScore));
  return tf.add(adversarial, classLoss(labels, fakeLogits));
}

/** One D step then one G step with Adam; returns the two losses. */
export function trainStep(gan: TinyGan, loss: Loss, optimizers: { d: tf.Optimizer; g: tf.Optimizer }): [number, number] {
  return tf.tidy(() => {
    const inputs = gan.batch();
    const dLoss = optimizers.d.minimize(() => discriminatorLoss(gan, loss, inputs) as tf.Scalar, true, gan.discriminatorVars)!;
    const gLoss = optimizers.g.minimize(() => generatorLoss(gan, loss, inputs) as tf.Scalar, true, gan.generatorVars)!;
    return [dLoss.dataSync()[0]!, gLoss.dataSync()[0]!];
  });
}
