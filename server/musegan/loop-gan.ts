/**
 * The trainable pair: generator (with its track-conditional encoder) and critic parameters, their Adam
 * optimisers, and the gradients of WGAN-GP's two phases (critic, generator) on a share of a batch. The caller
 * (loop-replica.ts) supplies every random draw, so gradients are a pure function of weights and inputs.
 */
import { tf } from '../ml/tf.js';
import { ParamStore } from '../ml/params.js';
import { Rng, deriveSeed } from '../ml/random.js';
import { driftPenalty, gradientPenalty, wassersteinDLoss, wassersteinGLoss } from '../ml/losses.js';
import { StudioError } from '../util/errors.js';
import { GanOptimizers } from '../training/gan-optimizers.js';
import { gatedOutput, generatorOutput, type OutputMode } from './binarize.js';
import { gateRateLoss, openPaintedBars, soundingGateTargets } from './bar-activity.js';
import { countedBars, pitchClassMatching, strayClassCells } from './bar-pitch-classes.js';
import { tonalDistanceMatching, tonalPairs } from './tonal-matching.js';
import type { TrainingBatch } from './batches.js';
import { criticScores } from './critic.js';
import { compositeGiven, generatorParts, type GivenTracks } from './generator.js';
import { disposeLatentTensors, latentTensors, sampleLatent, type PhraseLatent } from './latents.js';
import { loopShape, type LoopSpec } from './spec.js';
import type { LoopTrainConfig } from './train-config.js';

export interface CriticFigures {
  /** mean D(real) - mean D(fake): the critic's Wasserstein estimate. */
  wasserstein: number;
  gradientPenalty: number;
  drift: number;
  criticLoss: number;
  /** Share of cells that are on, generated vs real: a cheap early warning of empty or flooded output. */
  fakeDensity: number;
  realDensity: number;
}

export interface GeneratorFigures {
  /** The whole generator loss: adversarial plus the weighted gate rate, pitch-class and tonal-distance losses. */
  generatorLoss: number;
  /** The weighted gate rate loss (0 when off). */
  gateRateLoss: number;
  /** The weighted pitch-class feature-matching loss (0 when off). */
  pitchClassLoss: number;
  /**
   * Mean used pitch classes per sounding bar the generator painted, per track in spec order (null: drums, or no
   * such bar in this share, or the loss is off).
   */
  usedPitchClasses: (number | null)[];
  /** The weighted tonal-distance feature-matching loss (0 when off). */
  tonalLoss: number;
  /** Mean tonal distance per pair of pitched tracks (tonalPairs order; null: never together here, or the loss is off). */
  tonalDistances: (number | null)[];
  /** Share of this batch share's gates that are open (1 without a gate). */
  openGates: number;
}

/** Statistics of the training data that auxiliary losses hold the generator to. */
export interface LoopDataTargets {
  soundingBars?: readonly number[];
  usedPitchClasses?: readonly (number | null)[];
  /** Per tonalPairs entry. */
  tonalDistances?: readonly (number | null)[];
}

export interface PhaseGradients<F> {
  loss: number;
  grads: tf.NamedTensorMap;
  figures: F;
}

/** Where the optimisers' state sits in training/weights (the checkpoint format). */
const OPTIMIZER_PREFIXES = { generator: 'optimizer/generator/', critic: 'optimizer/critic/' };

export class LoopGan {
  readonly generator: ParamStore;
  readonly critic: ParamStore;
  private readonly optimizers: GanOptimizers;

  /**
   * `targets`: the training data's statistics the auxiliary losses aim at. `soundingBars`: each track's share of
   * sounding bars (bar-activity.ts), needed when the spec has a gate and the config a gateRateWeight.
   * `usedPitchClasses`: each track's mean used pitch classes per sounding bar (bar-pitch-classes.ts), needed when
   * the config has a pitchClassWeight. `tonalDistances`: per pitched pair (tonal-matching.ts), for a tonalWeight.
   */
  constructor(
    readonly spec: LoopSpec,
    readonly config: LoopTrainConfig,
    private readonly targets: LoopDataTargets = {},
  ) {
    this.generator = new ParamStore({ seed: deriveSeed(config.seed, 'generator'), label: 'loop-generator' });
    this.critic = new ParamStore({ seed: deriveSeed(config.seed, 'critic'), label: 'loop-critic' });
    this.optimizers = new GanOptimizers(config, OPTIMIZER_PREFIXES);
    this.build();
  }

  /** Generator updates so far (the run's step). */
  get step(): number {
    return this.optimizers.step;
  }

  /** Real-valued output before `binaryFromStep`, deterministic binary neurons from then on. */
  outputMode(step = this.step): OutputMode {
    return step >= this.config.binaryFromStep ? 'binary' : 'sigmoid';
  }

  /** Creates every parameter with one forward pass so that loading and optimiser state can refer to them. */
  private build(): void {
    const { phraseSize } = loopShape(this.spec);
    const batch: TrainingBatch = { size: 1, real: new Float32Array(phraseSize), given: new Float32Array(phraseSize), mask: new Float32Array(this.spec.tracks.length) };
    const latents = latentTensors(this.spec, [sampleLatent(this.spec, new Rng(0))]);
    tf.tidy(() => {
      const given = this.givenTensors(batch);
      criticScores(this.critic, this.spec, this.fakePhrases(latents, batch.size, given, 'sigmoid'));
    });
    disposeLatentTensors(latents);
  }

  private givenTensors(batch: TrainingBatch): GivenTracks {
    const { spec } = this;
    return {
      roll: tf.tensor4d(batch.given, [batch.size * spec.bars, spec.stepsPerBar, spec.pitchCount, spec.tracks.length]),
      mask: tf.tensor2d(batch.mask, [batch.size, spec.tracks.length]),
    };
  }

  /** The generator's output for a batch, with the given tracks put back: [batch, phraseSize]. */
  private fakePhrases(latents: ReturnType<typeof latentTensors>, batchSize: number, given: GivenTracks, mode: OutputMode): tf.Tensor2D {
    return this.fakeParts(latents, batchSize, given, mode).phrases;
  }

  /** fakePhrases, the note logits [batch*bars, steps, pitches, tracks] and the gate logits [batch*bars, 1, 1, tracks] (null without a gate). */
  private fakeParts(
    latents: ReturnType<typeof latentTensors>,
    batchSize: number,
    given: GivenTracks,
    mode: OutputMode,
  ): { phrases: tf.Tensor2D; notes: tf.Tensor4D; gate: tf.Tensor4D | null } {
    const { notes, gate } = generatorParts(this.generator, this.spec, latents, given);
    const out = gatedOutput(notes, gate, mode);
    return { phrases: tf.reshape(compositeGiven(this.spec, out, given), [batchSize, -1]) as tf.Tensor2D, notes, gate };
  }

  /** The gates' target shares when their loss is on, else null. */
  private gateTargets(): readonly number[] | null {
    if (!this.spec.generator.activityGate || this.config.gateRateWeight === 0) return null;
    if (!this.targets.soundingBars) throw new StudioError('INTERNAL', 'a gate rate loss needs the data\'s sounding-bar shares');
    return this.targets.soundingBars;
  }

  /** The tonal-distance loss's per-pair targets when it is on (at this step), else null. */
  private tonalTargets(): readonly (number | null)[] | null {
    if (this.config.tonalWeight === 0 || this.step < this.config.featureMatchingFromStep) return null;
    if (!this.targets.tonalDistances) throw new StudioError('INTERNAL', 'a tonal-distance loss needs the data\'s tonal distances');
    return this.targets.tonalDistances;
  }

  /** The pitch-class loss's per-track targets when it is on (at this step), else null. */
  private pitchClassTargets(): readonly (number | null)[] | null {
    if (this.config.pitchClassWeight === 0 || this.step < this.config.featureMatchingFromStep) return null;
    if (!this.targets.usedPitchClasses) throw new StudioError('INTERNAL', 'a pitch-class loss needs the data\'s used pitch classes per bar');
    return this.targets.usedPitchClasses;
  }

  /** Critic loss (Wasserstein + gradient penalty + drift) and its gradients on a batch share. */
  criticGradients(batch: TrainingBatch, latents: readonly PhraseLatent[], alphas: Float32Array): PhaseGradients<CriticFigures> {
    const { spec, config } = this;
    if (latents.length !== batch.size || alphas.length !== batch.size) throw new StudioError('INTERNAL', 'critic step: latents, alphas and batch differ in size');
    const z = latentTensors(spec, latents);
    const given = this.givenTensors(batch);
    const real = tf.tensor2d(batch.real, [batch.size, batch.real.length / batch.size]);
    const fake = tf.tidy(() => this.fakePhrases(z, batch.size, given, this.outputMode()));
    let parts: tf.Tensor | null = null;
    try {
      const result = this.critic.gradients(() => {
        const realScores = criticScores(this.critic, spec, real);
        const fakeScores = criticScores(this.critic, spec, fake);
        const wgan = wassersteinDLoss(realScores, fakeScores);
        const gp = gradientPenalty((x) => criticScores(this.critic, spec, x as tf.Tensor2D), real, fake, { weight: config.gradientPenaltyWeight, alphas });
        const drift = driftPenalty(realScores, config.driftWeight);
        const total = tf.addN([wgan, gp, drift]) as tf.Scalar;
        parts?.dispose();
        parts = tf.keep(tf.stack([wgan, gp, drift, total, tf.mean(fake), tf.mean(real)]));
        return total;
      });
      const d = (parts as tf.Tensor | null)!.dataSync();
      result.loss.dispose();
      return {
        loss: d[3]!,
        grads: result.grads,
        figures: { wasserstein: -d[0]!, gradientPenalty: d[1]!, drift: d[2]!, criticLoss: d[3]!, fakeDensity: d[4]!, realDensity: d[5]! },
      };
    } finally {
      tf.dispose([real, fake, given.roll, given.mask]);
      (parts as tf.Tensor | null)?.dispose();
      disposeLatentTensors(z);
    }
  }

  /**
   * Generator loss -mean D(fake), plus the gate rate, pitch-class and tonal-distance losses when on, and its gradients
   * on a batch share (the batch supplies given tracks only).
   */
  generatorGradients(batch: TrainingBatch, latents: readonly PhraseLatent[]): PhaseGradients<GeneratorFigures> {
    const z = latentTensors(this.spec, latents);
    const given = this.givenTensors(batch);
    const gateTargets = this.gateTargets();
    const classTargets = this.pitchClassTargets();
    const tonalTargets = this.tonalTargets();
    const tracks = this.spec.tracks.length;
    const pairCount = tonalPairs(this.spec).length;
    let parts: tf.Tensor | null = null;
    try {
      const mode = this.outputMode();
      const result = this.generator.gradients(() => {
        const { phrases, notes, gate } = this.fakeParts(z, batch.size, given, mode);
        const adversarial = wassersteinGLoss(criticScores(this.critic, this.spec, phrases));
        // Bars the generator painted and opened, and those of them that sound (no gradient through either).
        const open = openPaintedBars(gate, given.mask, notes.shape[0]);
        const painted = generatorOutput(notes, mode);
        const counted = countedBars(painted, open);
        const rate =
          gate && gateTargets ? tf.mul(gateRateLoss(gate, soundingGateTargets(gateTargets, open, counted)), this.config.gateRateWeight) : tf.scalar(0);
        const openShare = gate ? tf.mean(tf.cast(tf.greater(gate, 0), 'float32')) : tf.scalar(1);
        let classes: tf.Scalar = tf.scalar(0);
        let means: tf.Tensor1D = tf.fill([tracks], NaN) as tf.Tensor1D;
        if (classTargets) {
          const matching = pitchClassMatching(painted, counted, classTargets, strayClassCells(this.spec));
          classes = tf.mul(matching.loss, this.config.pitchClassWeight);
          means = matching.means;
        }
        let tonal: tf.Scalar = tf.scalar(0);
        let distances: tf.Tensor1D = tf.fill([pairCount], NaN) as tf.Tensor1D;
        if (tonalTargets) {
          // What the critic sees, but with the open gates as constants: pulled through the gates, the loss opened
          // nearly all of them (EB of bass, piano and strings near 0 within 100 steps).
          const gated = tf.mul(painted, tf.reshape(open, [notes.shape[0], 1, 1, tracks]));
          const matching = tonalDistanceMatching(compositeGiven(this.spec, gated as tf.Tensor4D, given), this.spec, tonalTargets, given.mask);
          tonal = tf.mul(matching.loss, this.config.tonalWeight);
          distances = matching.means;
        }
        parts?.dispose();
        parts = tf.keep(tf.concat([tf.stack([adversarial, rate, openShare, classes, tonal]), means, distances]));
        return tf.addN([adversarial, rate, classes, tonal]) as tf.Scalar;
      });
      const d = (parts as tf.Tensor | null)!.dataSync();
      result.loss.dispose();
      const loss = d[0]! + d[1]! + d[3]! + d[4]!;
      const known = (targets: readonly (number | null)[] | null, v: number, i: number) => (targets && targets[i] !== null && Number.isFinite(v) ? Number(v.toPrecision(4)) : null);
      const usedPitchClasses = Array.from(d.subarray(5, 5 + tracks), (v, t) => known(classTargets, v, t));
      const tonalDistances = Array.from(d.subarray(5 + tracks), (v, i) => known(tonalTargets, v, i));
      return {
        loss,
        grads: result.grads,
        figures: { generatorLoss: loss, gateRateLoss: d[1]!, openGates: d[2]!, pitchClassLoss: d[3]!, usedPitchClasses, tonalLoss: d[4]!, tonalDistances },
      };
    } finally {
      tf.dispose([given.roll, given.mask]);
      (parts as tf.Tensor | null)?.dispose();
      disposeLatentTensors(z);
    }
  }

  applyCritic(grads: tf.NamedTensorMap): void {
    this.optimizers.applyCritic(this.critic, grads);
  }

  applyGenerator(grads: tf.NamedTensorMap): void {
    this.optimizers.applyGenerator(this.generator, grads);
  }

  /** Generator (and encoder) weights: what inference needs. The caller disposes them. */
  inferenceWeights(): tf.NamedTensorMap {
    return this.generator.snapshot();
  }

  /** Critic weights and both optimisers' state: what --resume needs. The caller disposes them. */
  trainingWeights(): tf.NamedTensorMap {
    return this.optimizers.trainingWeights(this.critic);
  }

  /** Restores a checkpoint (tensors stay the caller's); without `training` only the generator. */
  load(inference: tf.NamedTensorMap, training?: tf.NamedTensorMap): void {
    assertSameNames(this.generator, inference, 'generator');
    this.generator.load(inference);
    if (!training) return;
    const critic = this.optimizers.withoutState(training);
    assertSameNames(this.critic, critic, 'critic');
    this.critic.load(critic);
    this.optimizers.importState(this.generator, this.critic, training);
  }

  dispose(): void {
    this.generator.dispose();
    this.critic.dispose();
    this.optimizers.dispose();
  }
}

/** A checkpoint must hold exactly the parameters the spec builds (load() alone would add strays silently). */
export function assertSameNames(store: ParamStore, map: tf.NamedTensorMap, what: string): void {
  const expected = new Set(store.names());
  const got = Object.keys(map);
  const missing = [...expected].filter((n) => !(n in map));
  const extra = got.filter((n) => !expected.has(n));
  if (missing.length || extra.length) {
    const detail = [missing.length ? `missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}` : '', extra.length ? `unexpected ${extra.slice(0, 3).join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    throw new StudioError('BAD_FILE', `${what} weights do not match the spec: ${detail}`);
  }
}
