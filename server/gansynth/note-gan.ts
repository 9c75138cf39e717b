/**
 * The trainable pair: generator and discriminator parameters, their Adam optimisers, and one training step of
 * WGAN-GP + AC-GAN (GANSynth's losses). All randomness comes in from the caller's Rng, so a step is a
 * pure function of (weights, optimiser state, batch, rng state) and a resumed run repeats a straight one exactly.
 */
import { tf } from '../ml/tf.js';
import { ParamStore } from '../ml/params.js';
import { driftPenalty, gradientPenalty, softmaxCrossEntropy, wassersteinDLoss, wassersteinGLoss } from '../ml/losses.js';
import { StudioError } from '../util/errors.js';
import { GanOptimizers, entriesUnder } from '../training/gan-optimizers.js';
import { runGenerator, pitchOneHot, GENERATOR_SCOPE } from './generator.js';
import { runDiscriminator, DISCRIMINATOR_SCOPE } from './discriminator.js';
import { timbreCode } from './timbre-classes.js';
import type { NoteModelSpec } from './spec.js';
import type { NoteTrainConfig } from './train-config.js';
import type { Rng } from '../ml/random.js';

/** One training step's figures (all plain numbers, for losses.jsonl and the progress bar). */
export interface StepLosses {
  /** Critic's Wasserstein estimate mean(D(real)) - mean(D(fake)); rising then settling is healthy. */
  wasserstein: number;
  gradientPenalty: number;
  drift: number;
  discriminatorPitchLoss: number;
  /** Share of the real batch whose pitch the discriminator's AC head gets right. */
  discriminatorPitchAccuracy: number;
  /** Cross-entropy of the timbre head on real notes (0 without timbre classes). */
  discriminatorTimbreLoss: number;
  /** Share of the real batch whose timbre class the discriminator names (0 without timbre classes). */
  discriminatorTimbreAccuracy: number;
  discriminatorLoss: number;
  generatorAdversarialLoss: number;
  generatorPitchLoss: number;
  /** Cross-entropy of the timbre head on fakes against the class their latents name (0 without timbre classes). */
  generatorTimbreLoss: number;
  /** Share of fakes the critic's timbre head names as their latent's class (0 without timbre classes). */
  generatorTimbreAccuracy: number;
  /**
   * Mean |image difference| / mean |latent difference| between two fakes of each pitch (0 when the mode-seeking term
   * is off): how far the generator moves per unit of latent; falling towards 0 is mode collapse.
   */
  modeSeekingRatio: number;
  generatorLoss: number;
}

export type DiscriminatorFigures = Pick<
  StepLosses,
  | 'wasserstein'
  | 'gradientPenalty'
  | 'drift'
  | 'discriminatorPitchLoss'
  | 'discriminatorPitchAccuracy'
  | 'discriminatorTimbreLoss'
  | 'discriminatorTimbreAccuracy'
  | 'discriminatorLoss'
>;
export type GeneratorFigures = Pick<
  StepLosses,
  'generatorAdversarialLoss' | 'generatorPitchLoss' | 'generatorTimbreLoss' | 'generatorTimbreAccuracy' | 'modeSeekingRatio' | 'generatorLoss'
>;

/** Keeps the mode-seeking term finite when two fakes coincide (MSGAN's epsilon). */
const MODE_SEEKING_EPSILON = 1e-5;

/** Where the optimisers' state sits in training/weights (the checkpoint format). */
const OPTIMIZER_PREFIXES = { generator: 'optimizer/g/', critic: 'optimizer/d/' };

export class NoteGan {
  readonly generator: ParamStore;
  readonly discriminator: ParamStore;
  private readonly optimizers: GanOptimizers;

  constructor(
    readonly spec: NoteModelSpec,
    readonly config: NoteTrainConfig,
  ) {
    this.generator = new ParamStore({ seed: config.seed * 2 + 1, label: 'generator' });
    this.discriminator = new ParamStore({ seed: config.seed * 2 + 2, label: 'discriminator' });
    this.optimizers = new GanOptimizers(config, OPTIMIZER_PREFIXES);
    this.build();
  }

  /** Generator updates so far. */
  get step(): number {
    return this.optimizers.step;
  }

  /** Creates every parameter with one forward pass, so loading and optimiser state can refer to them. */
  private build(): void {
    const batch = this.spec.discriminator.minibatchStddevGroup;
    tf.tidy(() => {
      const z = tf.zeros([batch, this.spec.latentSize]) as tf.Tensor2D;
      const images = runGenerator(this.generator, this.spec, z, pitchOneHot(this.spec, new Array(batch).fill(this.spec.midiPitchMin)));
      runDiscriminator(this.discriminator, this.spec, images);
    });
  }

  /**
   * One discriminator update then one generator update on a real batch [b, frames, melBins, 2] with its MIDI
   * pitches. Fake notes use the real batch's pitches (the data's pitch distribution), fresh latents from `rng`
   * (drawn in the same order as the data-parallel replicas draw them: D latents, GP mixes, G latents).
   */
  trainStep(realImages: tf.Tensor4D, midiPitches: number[], rng: Rng, timbreLabels?: number[]): StepLosses {
    const batch = midiPitches.length;
    const size = this.spec.latentSize;
    const d = this.discriminatorGradients({ realImages, midiPitches, timbreLabels, latents: rng.normalArray(batch * size), alphas: rng.uniformArray(batch) });
    this.applyDiscriminator(d.grads);
    tf.dispose(d.grads);
    const latents = rng.normalArray(batch * size);
    const pairLatents = this.config.modeSeekingWeight > 0 ? rng.normalArray(batch * size) : undefined;
    const g = this.generatorGradients({ midiPitches, latents, pairLatents });
    this.applyGenerator(g.grads);
    tf.dispose(g.grads);
    return { ...d.figures, ...g.figures };
  }

  /**
   * The critic's WGAN-GP + drift + AC-GAN loss on real images and on fakes made from `latents` ([b * latentSize])
   * at the same pitches; `alphas` [b] mix real and fake for the gradient penalty; `timbreLabels` (the real notes'
   * classes) are required when the spec has timbre classes. The caller disposes `grads`.
   */
  discriminatorGradients(batch: { realImages: tf.Tensor4D; midiPitches: number[]; timbreLabels?: number[]; latents: Float32Array; alphas: Float32Array }): {
    loss: number;
    grads: tf.NamedTensorMap;
    figures: DiscriminatorFigures;
  } {
    const { spec, config } = this;
    const { realImages, midiPitches, alphas } = batch;
    const b = midiPitches.length;
    if (realImages.shape[0] !== b) throw new StudioError('INTERNAL', `batch of ${realImages.shape[0]} images with ${b} pitches`);
    if (spec.timbreClasses && batch.timbreLabels?.length !== b) throw new StudioError('INTERNAL', `timbre classes need one label per real note (${b})`);
    const labels = tf.tensor1d(midiPitches.map((p) => p - spec.midiPitchMin), 'int32');
    const timbreLabels = spec.timbreClasses ? tf.tensor1d(batch.timbreLabels!, 'int32') : null;
    const fake = tf.tidy(() => runGenerator(this.generator, spec, tf.tensor2d(batch.latents, [b, spec.latentSize]), pitchOneHot(spec, midiPitches)));
    let parts: tf.Tensor | null = null;
    const result = this.discriminator.gradients(() => {
      const real = runDiscriminator(this.discriminator, spec, realImages);
      const generated = runDiscriminator(this.discriminator, spec, fake);
      const wgan = wassersteinDLoss(real.critic, generated.critic);
      const gp = gradientPenalty((x) => runDiscriminator(this.discriminator, spec, x as tf.Tensor4D).critic, realImages, fake, {
        weight: config.gradientPenaltyWeight,
        alphas,
      });
      const drift = driftPenalty(real.critic, config.driftWeight);
      const realPitchLoss = softmaxCrossEntropy(real.pitchLogits, labels);
      const pitchLoss = config.discriminatorPitchOn === 'real' ? realPitchLoss : tf.add(realPitchLoss, softmaxCrossEntropy(generated.pitchLogits, labels));
      const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(real.pitchLogits, 1), labels), 'float32'));
      // The timbre head learns from real notes only (a head trained on fakes could learn to spot fakes instead).
      const timbreLoss = timbreLabels ? softmaxCrossEntropy(real.timbreLogits!, timbreLabels) : tf.scalar(0);
      const timbreAccuracy = timbreLabels ? tf.mean(tf.cast(tf.equal(tf.argMax(real.timbreLogits!, 1), timbreLabels), 'float32')) : tf.scalar(0);
      const total = tf.addN([wgan, gp, drift, tf.mul(pitchLoss, config.discriminatorPitchLossWeight), tf.mul(timbreLoss, config.discriminatorTimbreLossWeight)]) as tf.Scalar;
      parts?.dispose();
      parts = tf.keep(tf.stack([wgan, gp, drift, pitchLoss, accuracy, timbreLoss, timbreAccuracy, total]));
      return total;
    }, DISCRIMINATOR_SCOPE);
    const d = (parts as tf.Tensor | null)!.dataSync();
    tf.dispose([result.loss, fake, labels, parts!, ...(timbreLabels ? [timbreLabels] : [])]);
    const figures: DiscriminatorFigures = {
      wasserstein: -d[0]!,
      gradientPenalty: d[1]!,
      drift: d[2]!,
      discriminatorPitchLoss: d[3]!,
      discriminatorPitchAccuracy: d[4]!,
      discriminatorTimbreLoss: d[5]!,
      discriminatorTimbreAccuracy: d[6]!,
      discriminatorLoss: d[7]!,
    };
    return { loss: figures.discriminatorLoss, grads: result.grads, figures };
  }

  /**
   * The generator's WGAN + AC-GAN (pitch, and timbre class) loss on fakes from `latents` ([b * latentSize]) at
   * `midiPitches`, plus the mode-seeking term against fakes from `pairLatents` at the same pitches when its weight is
   * above 0 (the second fakes meet no critic: they only measure how far the first moved).
   */
  generatorGradients(batch: { midiPitches: number[]; latents: Float32Array; pairLatents?: Float32Array }): { loss: number; grads: tf.NamedTensorMap; figures: GeneratorFigures } {
    const { spec, config } = this;
    const b = batch.midiPitches.length;
    const modeSeeking = config.modeSeekingWeight > 0;
    if (modeSeeking && batch.pairLatents?.length !== batch.latents.length) throw new StudioError('INTERNAL', 'the mode-seeking term needs a second latent per note');
    const labels = tf.tensor1d(batch.midiPitches.map((p) => p - spec.midiPitchMin), 'int32');
    const oneHot = pitchOneHot(spec, batch.midiPitches);
    const z = tf.tensor2d(batch.latents, [b, spec.latentSize]);
    const pairZ = modeSeeking ? tf.tensor2d(batch.pairLatents!, [b, spec.latentSize]) : null;
    const code = timbreCode(spec, z); // [b, classes]: the class each latent names
    let parts: tf.Tensor | null = null;
    const result = this.generator.gradients(() => {
      const images = runGenerator(this.generator, spec, z, oneHot); // [b, frames, melBins, 2]
      const generated = runDiscriminator(this.discriminator, spec, images);
      const adversarial = wassersteinGLoss(generated.critic);
      const pitchLoss = softmaxCrossEntropy(generated.pitchLogits, labels);
      const timbreLoss = code ? softmaxCrossEntropy(generated.timbreLogits!, code) : tf.scalar(0);
      const timbreAccuracy = code ? tf.mean(tf.cast(tf.equal(tf.argMax(generated.timbreLogits!, 1), tf.argMax(code, 1)), 'float32')) : tf.scalar(0);
      const ratio = pairZ
        ? tf.div(tf.mean(tf.abs(tf.sub(images, runGenerator(this.generator, spec, pairZ, oneHot)))), tf.mean(tf.abs(tf.sub(z, pairZ))))
        : tf.scalar(0);
      const modeSeekingLoss = pairZ ? tf.mul(tf.reciprocal(tf.add(ratio, MODE_SEEKING_EPSILON)), config.modeSeekingWeight) : tf.scalar(0);
      const total = tf.addN([adversarial, tf.mul(pitchLoss, config.generatorPitchLossWeight), tf.mul(timbreLoss, config.generatorTimbreLossWeight), modeSeekingLoss]) as tf.Scalar;
      parts?.dispose();
      parts = tf.keep(tf.stack([adversarial, pitchLoss, timbreLoss, timbreAccuracy, ratio, total]));
      return total;
    }, GENERATOR_SCOPE);
    const g = (parts as tf.Tensor | null)!.dataSync();
    tf.dispose([result.loss, z, parts!, labels, oneHot, ...(code ? [code] : []), ...(pairZ ? [pairZ] : [])]);
    const figures: GeneratorFigures = {
      generatorAdversarialLoss: g[0]!,
      generatorPitchLoss: g[1]!,
      generatorTimbreLoss: g[2]!,
      generatorTimbreAccuracy: g[3]!,
      modeSeekingRatio: g[4]!,
      generatorLoss: g[5]!,
    };
    return { loss: figures.generatorLoss, grads: result.grads, figures };
  }

  /** One Adam update of the discriminator (`grads` stays the caller's). */
  applyDiscriminator(grads: tf.NamedTensorMap): void {
    this.optimizers.applyCritic(this.discriminator, grads);
  }

  /** One Adam update of the generator: this is what counts as a training step. */
  applyGenerator(grads: tf.NamedTensorMap): void {
    this.optimizers.applyGenerator(this.generator, grads);
  }

  /** Generator weights (what inference needs); the caller disposes them. */
  inferenceWeights(): tf.NamedTensorMap {
    return this.generator.snapshot();
  }

  /** Discriminator weights and both optimisers' state (what --resume needs); the caller disposes them. */
  trainingWeights(): tf.NamedTensorMap {
    return this.optimizers.trainingWeights(this.discriminator);
  }

  /** Restores a checkpoint: generator weights, and optionally discriminator + optimiser state (stay the caller's). */
  load(inference: tf.NamedTensorMap, training?: tf.NamedTensorMap): void {
    this.generator.load(entriesUnder(inference, `${GENERATOR_SCOPE}/`, 'generator', true));
    if (!training) return;
    this.discriminator.load(entriesUnder(training, `${DISCRIMINATOR_SCOPE}/`, 'discriminator', true));
    this.optimizers.importState(this.generator, this.discriminator, training);
  }

  dispose(): void {
    this.generator.dispose();
    this.discriminator.dispose();
    this.optimizers.dispose();
  }
}
