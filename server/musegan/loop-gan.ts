/**
 * The trainable pair: generator and critic parameters, their Adam optimisers, and one training iteration of
 * WGAN-GP (several critic updates, then one generator update). Every random draw of iteration s comes from
 * seeds derived from (config.seed, s), and its batches from LoopBatches by number, so an iteration is a pure
 * function of (weights, optimiser state, s): a resumed run repeats a straight one exactly.
 */
import { tf } from '../ml/tf.js';
import { ParamStore } from '../ml/params.js';
import { Adam } from '../ml/optim.js';
import { Rng, deriveSeed } from '../ml/random.js';
import { driftPenalty, gradientPenalty, wassersteinDLoss, wassersteinGLoss } from '../ml/losses.js';
import { StudioError } from '../util/errors.js';
import { generatorOutput, type OutputMode } from './binarize.js';
import type { LoopBatches, TrainingBatch } from './batches.js';
import { criticScores } from './critic.js';
import { compositeGiven, generatorLogits, type GivenTracks } from './generator.js';
import { disposeLatentTensors, latentTensors, sampleLatent, type LatentTensors } from './latents.js';
import { loopShape, type LoopSpec } from './spec.js';
import type { LoopTrainConfig } from './train-config.js';

/** One iteration's figures (plain numbers for losses.jsonl and the progress bar); critic figures are means. */
export interface LoopStepLosses {
  step: number;
  /** mean D(real) - mean D(fake): the critic's Wasserstein estimate. */
  wasserstein: number;
  gradientPenalty: number;
  drift: number;
  criticLoss: number;
  generatorLoss: number;
  /** Share of cells that are on, generated vs real: a cheap early warning of empty or flooded output. */
  fakeDensity: number;
  realDensity: number;
  binary: boolean;
}

const G_OPTIMIZER = 'optimizer/generator/';
const D_OPTIMIZER = 'optimizer/critic/';

export class LoopGan {
  readonly generator: ParamStore;
  readonly critic: ParamStore;
  private readonly gOptimizer: Adam;
  private readonly dOptimizer: Adam;

  constructor(
    readonly spec: LoopSpec,
    readonly config: LoopTrainConfig,
  ) {
    this.generator = new ParamStore({ seed: deriveSeed(config.seed, 'generator'), label: 'loop-generator' });
    this.critic = new ParamStore({ seed: deriveSeed(config.seed, 'critic'), label: 'loop-critic' });
    const adam = { learningRate: config.learningRate, beta1: config.beta1, beta2: config.beta2, epsilon: 1e-8 };
    this.gOptimizer = new Adam(adam);
    this.dOptimizer = new Adam(adam);
    this.build();
  }

  /** Generator updates so far. */
  get step(): number {
    return this.gOptimizer.step;
  }

  outputMode(step = this.step): OutputMode {
    return step >= this.config.binaryFromStep ? 'binary' : 'sigmoid';
  }

  /** Creates every parameter with one forward pass so that loading and optimiser state can refer to them. */
  private build(): void {
    tf.tidy(() => {
      const batch = 1;
      const latents = latentTensors(this.spec, [sampleLatent(this.spec, new Rng(0))]);
      const given = this.givenTensors({ size: batch, real: new Float32Array(0), given: new Float32Array(loopShape(this.spec).phraseSize), mask: new Float32Array(this.spec.tracks.length) });
      const logits = generatorLogits(this.generator, this.spec, latents, given);
      criticScores(this.critic, this.spec, tf.reshape(logits, [batch, -1]) as tf.Tensor2D);
      disposeLatentTensors(latents);
    });
  }

  private givenTensors(batch: TrainingBatch): GivenTracks {
    const { spec } = this;
    return {
      roll: tf.tensor4d(batch.given, [batch.size * spec.bars, spec.stepsPerBar, spec.pitchCount, spec.tracks.length]),
      mask: tf.tensor2d(batch.mask, [batch.size, spec.tracks.length]),
    };
  }

  /** The generator's output for a batch, with the given tracks put back: [batch, phraseSize]. */
  private fakePhrases(latents: LatentTensors, batchSize: number, given: GivenTracks, mode: OutputMode): tf.Tensor2D {
    const out = generatorOutput(generatorLogits(this.generator, this.spec, latents, given), mode);
    return tf.reshape(compositeGiven(this.spec, out, given), [batchSize, -1]) as tf.Tensor2D;
  }

  private drawLatents(rng: Rng, batchSize: number): LatentTensors {
    return latentTensors(this.spec, Array.from({ length: batchSize }, () => sampleLatent(this.spec, rng)));
  }

  /** One iteration: `criticSteps` critic updates, then one generator update. */
  trainStep(batches: LoopBatches): LoopStepLosses {
    const { spec, config } = this;
    const s = this.step;
    const mode = this.outputMode(s);
    const rng = new Rng(deriveSeed(config.seed, `step:${s}`));
    const firstBatch = s * (config.criticSteps + 1);
    const sums = { wasserstein: 0, gradientPenalty: 0, drift: 0, criticLoss: 0, fakeDensity: 0, realDensity: 0 };

    for (let i = 0; i < config.criticSteps; i++) {
      const batch = batches.batch(firstBatch + i);
      const given = this.givenTensors(batch);
      const real = tf.tensor2d(batch.real, [batch.size, batch.real.length / batch.size]);
      const latents = this.drawLatents(rng, batch.size);
      const fake = tf.tidy(() => this.fakePhrases(latents, batch.size, given, mode));
      disposeLatentTensors(latents);
      const alphas = rng.uniformArray(batch.size);
      let parts: tf.Tensor | null = null;
      const result = this.critic.gradients(() => {
        const realScores = criticScores(this.critic, spec, real);
        const fakeScores = criticScores(this.critic, spec, fake);
        const wgan = wassersteinDLoss(realScores, fakeScores);
        const gp = gradientPenalty((x) => criticScores(this.critic, spec, x as tf.Tensor2D), real, fake, {
          weight: config.gradientPenaltyWeight,
          alphas,
        });
        const drift = driftPenalty(realScores, config.driftWeight);
        const total = tf.addN([wgan, gp, drift]) as tf.Scalar;
        parts?.dispose();
        parts = tf.keep(tf.stack([wgan, gp, drift, total, tf.mean(fake), tf.mean(real)]));
        return total;
      });
      this.dOptimizer.apply(this.critic, result.grads);
      const d = (parts as tf.Tensor | null)!.dataSync();
      tf.dispose([result.loss, result.grads, parts!, real, fake, given.roll, given.mask]);
      sums.wasserstein -= d[0]!;
      sums.gradientPenalty += d[1]!;
      sums.drift += d[2]!;
      sums.criticLoss += d[3]!;
      sums.fakeDensity += d[4]!;
      sums.realDensity += d[5]!;
    }

    const batch = batches.batch(firstBatch + config.criticSteps);
    const given = this.givenTensors(batch);
    const latents = this.drawLatents(rng, batch.size);
    const result = this.generator.gradients(() => wassersteinGLoss(criticScores(this.critic, spec, this.fakePhrases(latents, batch.size, given, mode))));
    this.gOptimizer.apply(this.generator, result.grads);
    const generatorLoss = result.loss.dataSync()[0]!;
    tf.dispose([result.loss, result.grads, given.roll, given.mask]);
    disposeLatentTensors(latents);

    const n = config.criticSteps;
    return {
      step: s + 1,
      wasserstein: sums.wasserstein / n,
      gradientPenalty: sums.gradientPenalty / n,
      drift: sums.drift / n,
      criticLoss: sums.criticLoss / n,
      generatorLoss,
      fakeDensity: sums.fakeDensity / n,
      realDensity: sums.realDensity / n,
      binary: mode === 'binary',
    };
  }

  /** Generator (and encoder) weights: what inference needs. The caller disposes them. */
  inferenceWeights(): tf.NamedTensorMap {
    return this.generator.snapshot();
  }

  /** Critic weights and both optimisers' state: what --resume needs. The caller disposes them. */
  trainingWeights(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = this.critic.snapshot();
    for (const [k, v] of Object.entries(this.gOptimizer.exportState())) out[G_OPTIMIZER + k] = v;
    for (const [k, v] of Object.entries(this.dOptimizer.exportState())) out[D_OPTIMIZER + k] = v;
    return out;
  }

  /** Restores a checkpoint (tensors stay the caller's); without `training` only the generator. */
  load(inference: tf.NamedTensorMap, training?: tf.NamedTensorMap): void {
    this.generator.load(inference);
    if (!training) return;
    const critic: tf.NamedTensorMap = {};
    const gState: tf.NamedTensorMap = {};
    const dState: tf.NamedTensorMap = {};
    for (const [k, v] of Object.entries(training)) {
      if (k.startsWith(G_OPTIMIZER)) gState[k.slice(G_OPTIMIZER.length)] = v;
      else if (k.startsWith(D_OPTIMIZER)) dState[k.slice(D_OPTIMIZER.length)] = v;
      else critic[k] = v;
    }
    if (Object.keys(critic).length === 0) throw new StudioError('BAD_FILE', 'checkpoint has no critic weights');
    this.critic.load(critic);
    this.gOptimizer.importState(this.generator, gState);
    this.dOptimizer.importState(this.critic, dState);
  }

  dispose(): void {
    this.generator.dispose();
    this.critic.dispose();
    this.gOptimizer.dispose();
    this.dOptimizer.dispose();
  }
}
