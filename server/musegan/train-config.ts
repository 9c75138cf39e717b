/** The loop trainer's run config (saved in metadata.json, apart from the spec): optimiser, losses, schedule. */
import { z } from 'zod';
import { StudioError } from '../util/errors.js';
import type { LoopPreset } from './spec.js';

export const loopTrainConfigSchema = z.object({
  /** Generator updates the run aims for (a resumed run continues to this count). */
  steps: z.number().int().positive(),
  batchSize: z.number().int().min(1).max(512),
  /** Critic updates per generator update (WGAN-GP: 5). */
  criticSteps: z.number().int().min(1).max(20),
  /** Adam for both networks (WGAN-GP: β1 0.5, β2 0.9). */
  learningRate: z.number().positive(),
  beta1: z.number().min(0).max(1),
  beta2: z.number().min(0).max(1),
  gradientPenaltyWeight: z.number().min(0),
  /** ProGAN's drift term on real critic scores (keeps them near 0). */
  driftWeight: z.number().min(0),
  /**
   * Generator step from which the output goes through deterministic binary neurons (straight-through) instead of
   * a plain sigmoid: BinaryMuseGAN's "pretrain real-valued, then refine with binary neurons". 0 = binary from
   * the start; >= steps = never.
   */
  binaryFromStep: z.number().int().min(0),
  /** Share of training phrases that give the generator some of their tracks (track-conditional training). */
  conditionRate: z.number().min(0).max(1),
  /** Random transposition of the pitched tracks by up to +-N semitones (data augmentation; drums stay). */
  transposeSemitones: z.number().int().min(0).max(11),
  /**
   * Weight of the activity gates' pinball loss (bar-activity.ts), which holds each track's share of open gates at
   * its share of sounding bars in the data. 0 = off; absent in older runs' metadata (off, so they resume as they were).
   */
  gateRateWeight: z.number().min(0).default(0),
  /**
   * Weight of the feature-matching loss (bar-pitch-classes.ts) holding each pitched track's mean used pitch classes
   * per sounding bar at the data's. 0 = off; absent in older runs' metadata (off, so they resume as they were).
   */
  pitchClassWeight: z.number().min(0).default(0),
  /**
   * Weight of the feature-matching loss (tonal-matching.ts) holding each pair of pitched tracks' mean tonal distance
   * at most a little above the data's. 0 = off; absent in older runs' metadata (off).
   */
  tonalWeight: z.number().min(0).default(0),
  /**
   * Generator step from which the feature-matching losses (pitch classes, tonal distance) apply: they were tuned on a
   * trained generator (an untrained one's bars are nearly all stray blips). Absent in older runs' metadata (0).
   */
  featureMatchingFromStep: z.number().int().min(0).default(0),
  checkpointEvery: z.number().int().positive(),
  /** Loops written as MIDI previews at each checkpoint (fixed seeds, so they are comparable over time). */
  previewCount: z.number().int().min(0).max(32),
  /** Seed of initial weights, data order, latents, masks and penalty mixes. */
  seed: z.number().int().min(0),
});
export type LoopTrainConfig = z.infer<typeof loopTrainConfigSchema>;

const common: Omit<LoopTrainConfig, 'steps' | 'batchSize' | 'criticSteps' | 'checkpointEvery' | 'binaryFromStep' | 'featureMatchingFromStep'> = {
  learningRate: 2e-4,
  beta1: 0.5,
  beta2: 0.9,
  gradientPenaltyWeight: 10,
  driftWeight: 1e-3,
  conditionRate: 0.5,
  transposeSemitones: 5,
  gateRateWeight: 10,
  pitchClassWeight: 1,
  tonalWeight: 1,
  previewCount: 4,
  seed: 0,
};

/** Per-preset run defaults: `lite` is sized for about an hour on two CPU cores (see bench/loops.ts). */
export const LOOP_TRAIN_DEFAULTS: Record<LoopPreset, LoopTrainConfig> = {
  tiny: { ...common, steps: 20, batchSize: 4, criticSteps: 2, checkpointEvery: 10, binaryFromStep: 10, featureMatchingFromStep: 0, previewCount: 2 },
  // Binary from the start: in short runs a real-valued phase only teaches the critic to spot soft values.
  // Feature matching for the last 400 steps: enough to bring UPC and TD in line (models/loops-default).
  lite: { ...common, steps: 2400, batchSize: 16, criticSteps: 2, checkpointEvery: 200, binaryFromStep: 0, featureMatchingFromStep: 2000 },
  paper: { ...common, steps: 50000, batchSize: 64, criticSteps: 5, checkpointEvery: 1000, binaryFromStep: 25000, featureMatchingFromStep: 25000 },
};

export function loopTrainDefaults(preset: string): LoopTrainConfig {
  return { ...(LOOP_TRAIN_DEFAULTS[preset as LoopPreset] ?? LOOP_TRAIN_DEFAULTS.lite) };
}

export function parseLoopTrainConfig(raw: unknown, source: string): LoopTrainConfig {
  const parsed = loopTrainConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StudioError('BAD_INPUT', `${source}: ${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return parsed.data;
}
