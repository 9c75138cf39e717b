/**
 * The note GAN as a data-parallel replica (server/ml/parallel): every thread holds the same weights, data order and
 * random stream, draws the whole batch's indices and latents, and computes gradients on its own slice of it; the
 * averaged gradients keep all replicas identical, so the main thread's replica is the model and its state is the run's.
 * With one party this is exactly NoteGan.trainStep over the whole batch.
 */
import { fileURLToPath } from 'node:url';
import { tf } from '../ml/tf.js';
import type { TrainingReplica } from '../ml/parallel/replica.js';
import { splitBatch } from '../ml/parallel/data-parallel.js';
import { StudioError } from '../util/errors.js';
import { NoteGan, type StepLosses } from './note-gan.js';
import { BatchSampler, type BatchSamplerState } from './batch-sampler.js';
import { Rng, type RandomState } from '../ml/random.js';
import { imageShape, type NoteModelSpec } from './spec.js';
import type { NoteTrainConfig } from './train-config.js';
import { loadNoteCheckpoint } from './checkpoint.js';
import { generateImages } from './generator.js';

/** This module's file (the .ts source under tsx, .js when built): DataParallelTrainer imports it again in each worker. */
export const NOTE_REPLICA_MODULE = fileURLToPath(import.meta.url);

export interface NoteReplicaOptions {
  spec: NoteModelSpec;
  config: NoteTrainConfig;
  /** All training images back to back ([count][frames][melBins][2]); on a SharedArrayBuffer, threads share one copy. */
  images: Float32Array;
  midiPitches: number[];
  /** Timbre class of every image (timbre-classes.ts), when the spec has classes. */
  timbreLabels?: number[];
  /** Continue from this checkpoint folder (every replica loads the same one). */
  resumeFrom?: string;
}

export interface NoteReplica extends TrainingReplica {
  readonly gan: NoteGan;
  /** Data order and random stream after the last iteration (the same in every replica). */
  runState(): { sampler: BatchSamplerState; rng: RandomState; epochs: number };
  /** This replica's loss figures of the last iteration (its slice of the batch). */
  lastFigures(): StepLosses | null;
}

/** Per-replica share of `batch`, checked against the minibatch-stddev groups of the discriminator. */
export function replicaShares(spec: NoteModelSpec, batch: number, parties: number): number[] {
  const shares = splitBatch(batch, parties);
  const group = spec.discriminator.minibatchStddevGroup;
  for (const share of shares) {
    if (share < 1 || share % Math.min(group, share) !== 0) {
      throw new StudioError('BAD_INPUT', `batch ${batch} over ${parties} workers gives ${share} notes a worker; each share must be a multiple of ${group} (or below it)`);
    }
  }
  return shares;
}

export async function createReplica(options: unknown, share: { rank: number; parties: number }): Promise<NoteReplica> {
  const o = options as NoteReplicaOptions;
  const { spec, config } = o;
  const [frames, melBins] = imageShape(spec);
  const perImage = frames * melBins * 2;
  const count = o.midiPitches.length;
  const shares = replicaShares(spec, config.batchSize, share.parties);
  const from = shares.slice(0, share.rank).reduce((a, b) => a + b, 0);
  const mine = shares[share.rank]!;
  const size = spec.latentSize;

  const gan = new NoteGan(spec, config);
  let sampler = new BatchSampler(count, config.seed);
  let rng = new Rng(`train:${config.seed}`);
  if (o.resumeFrom) {
    const checkpoint = await loadNoteCheckpoint(o.resumeFrom);
    try {
      gan.load(checkpoint.weights, checkpoint.trainingWeights);
    } finally {
      tf.dispose([checkpoint.weights, checkpoint.trainingWeights]);
    }
    sampler = new BatchSampler(count, config.seed, checkpoint.state.sampler);
    rng = Rng.fromState(checkpoint.state.rng);
  }

  const benchRng = new Rng('replica-generate'); // never the training stream
  let pitches: number[] = [];
  let figures: Partial<StepLosses> = {};
  let last: StepLosses | null = null;

  const dGradients = () => {
    const indices = sampler.next(config.batchSize);
    const latents = rng.normalArray(config.batchSize * size);
    const alphas = rng.uniformArray(config.batchSize);
    const slice = indices.slice(from, from + mine);
    pitches = slice.map((i) => o.midiPitches[i]!);
    const timbreLabels = o.timbreLabels ? slice.map((i) => o.timbreLabels![i]!) : undefined;
    const flat = new Float32Array(mine * perImage);
    slice.forEach((index, i) => flat.set(o.images.subarray(index * perImage, (index + 1) * perImage), i * perImage));
    const realImages = tf.tensor4d(flat, [mine, frames, melBins, 2]);
    try {
      const d = gan.discriminatorGradients({
        realImages,
        midiPitches: pitches,
        timbreLabels,
        latents: latents.subarray(from * size, (from + mine) * size),
        alphas: alphas.subarray(from, from + mine),
      });
      figures = d.figures;
      return d;
    } finally {
      realImages.dispose();
    }
  };

  const gGradients = () => {
    const latents = rng.normalArray(config.batchSize * size);
    const pairLatents = config.modeSeekingWeight > 0 ? rng.normalArray(config.batchSize * size) : undefined;
    const g = gan.generatorGradients({
      midiPitches: pitches,
      latents: latents.subarray(from * size, (from + mine) * size),
      pairLatents: pairLatents?.subarray(from * size, (from + mine) * size),
    });
    last = { ...(figures as StepLosses), ...g.figures };
    return g;
  };

  return {
    gan,
    phases: ['d', 'g'],
    gradients: (phase) => {
      const { loss, grads } = phase === 'd' ? dGradients() : gGradients();
      return { loss, grads };
    },
    apply: (phase, grads) => (phase === 'd' ? gan.applyDiscriminator(grads) : gan.applyGenerator(grads)),
    gradientFloats: () => Math.max(gan.discriminator.count(), gan.generator.count()),
    generate: (batch) => {
      const latents = Array.from({ length: batch }, () => benchRng.normalArray(size));
      return generateImages(gan.generator, spec, latents, latents.map(() => 60)).reduce((sum, image) => sum + image[0]!, 0);
    },
    runState: () => ({ sampler: sampler.getState(), rng: rng.getState(), epochs: sampler.epochs }),
    lastFigures: () => last,
    dispose: () => gan.dispose(),
  };
}
