/**
 * The loop GAN as a data-parallel replica (server/ml/parallel): every thread holds the same weights, draws the
 * same batches and latents (pure functions of seed, step and phase) and computes gradients on its own share of
 * the batch; averaged gradients keep the replicas identical, so the main thread's replica is the model.
 * Phases of one iteration: 'd0' .. 'd<criticSteps-1>' (critic updates), then 'g' (generator update).
 * With one party this is exactly a plain training iteration over the whole batch.
 */
import { fileURLToPath } from 'node:url';
import { tf } from '../ml/tf.js';
import { Rng, deriveSeed } from '../ml/random.js';
import type { TrainingReplica } from '../ml/parallel/replica.js';
import { splitBatch } from '../ml/parallel/data-parallel.js';
import { StudioError } from '../util/errors.js';
import { LoopBatches } from './batches.js';
import { LoopGan, type CriticFigures, type GeneratorFigures, type LoopDataTargets } from './loop-gan.js';
import { disposeLatentTensors, latentTensors, sampleLatent, type PhraseLatent } from './latents.js';
import { phraseSource, type PackedPhrases } from './phrase-data.js';
import { loadLoopCheckpoint } from './checkpoint.js';
import { generatorLogits, noGivenTracks } from './generator.js';
import type { LoopSpec } from './spec.js';
import type { LoopTrainConfig } from './train-config.js';

/** This module's file (the .ts source under tsx, .js when built): DataParallelTrainer imports it again in each worker. */
export const LOOP_REPLICA_MODULE = fileURLToPath(import.meta.url);

export interface LoopReplicaOptions {
  spec: LoopSpec;
  config: LoopTrainConfig;
  data: PackedPhrases;
  /** Continue from this checkpoint folder (every replica loads the same one). */
  resumeFrom?: string;
  /** The data's statistics the auxiliary losses aim at (loopDataTargets in trainer.ts). */
  targets?: LoopDataTargets;
}

/** One iteration's figures: critic figures are means over the critic phases; all are this replica's share. */
export interface LoopStepFigures extends CriticFigures, GeneratorFigures {
  binary: boolean;
}

export interface LoopReplica extends TrainingReplica {
  readonly gan: LoopGan;
  lastFigures(): LoopStepFigures | null;
}

/** Equal shares only: WGAN-GP's means over shares then average exactly to the means over the batch. */
export function loopReplicaShares(batchSize: number, parties: number): number[] {
  if (batchSize % parties !== 0) throw new StudioError('BAD_INPUT', `batch ${batchSize} does not split evenly over ${parties} workers`);
  return splitBatch(batchSize, parties);
}

export async function createReplica(options: unknown, share: { rank: number; parties: number }): Promise<LoopReplica> {
  const o = options as LoopReplicaOptions;
  const { spec, config } = o;
  const shares = loopReplicaShares(config.batchSize, share.parties);
  const from = shares.slice(0, share.rank).reduce((a, b) => a + b, 0);
  const mine = shares[share.rank]!;
  const gan = new LoopGan(spec, config, o.targets);
  if (o.resumeFrom) {
    const checkpoint = await loadLoopCheckpoint(o.resumeFrom);
    try {
      gan.load(checkpoint.weights, checkpoint.trainingWeights);
    } finally {
      tf.dispose([checkpoint.weights, checkpoint.trainingWeights]);
    }
  }
  const batches = new LoopBatches(phraseSource(o.data), spec, config);
  const phases = [...Array.from({ length: config.criticSteps }, (_, i) => `d${i}`), 'g'];

  /** The whole batch's latents (and penalty mixes) for a phase, from its own stream; this replica's slice. */
  const draws = (phase: string) => {
    const rng = new Rng(deriveSeed(config.seed, `step:${gan.step}:${phase}`));
    const latents: PhraseLatent[] = Array.from({ length: config.batchSize }, () => sampleLatent(spec, rng));
    const alphas = rng.uniformArray(config.batchSize);
    return { latents: latents.slice(from, from + mine), alphas: alphas.subarray(from, from + mine) };
  };
  const batchNumber = (phaseIndex: number) => gan.step * (config.criticSteps + 1) + phaseIndex;

  let critic: CriticFigures[] = [];
  let last: LoopStepFigures | null = null;
  const benchRng = new Rng(deriveSeed(config.seed, 'replica-generate')); // never the training stream

  return {
    gan,
    phases,
    gradients: (phase) => {
      const index = phases.indexOf(phase);
      if (index < 0) throw new StudioError('INTERNAL', `unknown training phase ${phase}`);
      const batch = batches.batch(batchNumber(index), from, mine);
      const { latents, alphas } = draws(phase);
      if (phase === 'g') {
        const binary = gan.outputMode() === 'binary';
        const g = gan.generatorGradients(batch, latents);
        const mean = (key: keyof CriticFigures) => critic.reduce((sum, f) => sum + f[key], 0) / critic.length;
        last = {
          wasserstein: mean('wasserstein'),
          gradientPenalty: mean('gradientPenalty'),
          drift: mean('drift'),
          criticLoss: mean('criticLoss'),
          fakeDensity: mean('fakeDensity'),
          realDensity: mean('realDensity'),
          ...g.figures,
          binary,
        };
        critic = [];
        return { loss: g.loss, grads: g.grads };
      }
      const d = gan.criticGradients(batch, latents, alphas);
      critic.push(d.figures);
      return { loss: d.loss, grads: d.grads };
    },
    apply: (phase, grads) => (phase === 'g' ? gan.applyGenerator(grads) : gan.applyCritic(grads)),
    gradientFloats: () => Math.max(gan.critic.count(), gan.generator.count()),
    generate: (batch) =>
      tf.tidy(() => {
        const z = latentTensors(spec, Array.from({ length: batch }, () => sampleLatent(spec, benchRng)));
        const sum = tf.sum(generatorLogits(gan.generator, spec, z, noGivenTracks(spec, batch))).dataSync()[0]!;
        disposeLatentTensors(z);
        return sum;
      }),
    lastFigures: () => last,
    dispose: () => gan.dispose(),
  };
}
