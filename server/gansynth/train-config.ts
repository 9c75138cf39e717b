/** The training-run config (saved in metadata.json, apart from the spec): optimiser, losses, schedule. */
import { z } from 'zod';
import { StudioError } from '../util/errors.js';

export const noteTrainConfigSchema = z.object({
  /** Total generator updates the run aims for (a resumed run continues to this count). */
  steps: z.number().int().positive(),
  batchSize: z.number().int().min(2).max(512),
  /** Adam, ProGAN/GANSynth style: β1 0, β2 0.99; rate per preset (see PRESET_TRAIN_DEFAULTS). */
  learningRate: z.number().positive(),
  beta1: z.number().min(0).max(1),
  beta2: z.number().min(0).max(1),
  gradientPenaltyWeight: z.number().min(0),
  /** ProGAN's drift term on real critic scores. */
  driftWeight: z.number().min(0),
  /** AC-GAN pitch cross-entropy weights (GANSynth: 10 on both networks). */
  generatorPitchLossWeight: z.number().min(0),
  discriminatorPitchLossWeight: z.number().min(0),
  /** AC-GAN timbre-class cross-entropy weights (timbre-classes.ts; used when the spec has classes). Absent in older runs: 10. */
  generatorTimbreLossWeight: z.number().min(0).default(10),
  discriminatorTimbreLossWeight: z.number().min(0).default(10),
  /**
   * What the discriminator's pitch head learns from: real notes only, or real and generated (AC-GAN as in GANSynth).
   * On generated notes the head can learn cues of fakes that the generator then learns to produce instead of pitch.
   */
  discriminatorPitchOn: z.enum(['real', 'real+fake']),
  /**
   * Mode-seeking term (Mao et al. 2019, MSGAN): weight of 1 / (distance between two notes of one pitch from two
   * latents / distance between the latents), against a generator that maps many latents to a few timbres. Costs a
   * second generator pass a step. Absent in older runs: 0.
   */
  modeSeekingWeight: z.number().min(0).default(0),
  checkpointEvery: z.number().int().positive(),
  /** MIDI pitches rendered as preview WAVs at every checkpoint. */
  previewPitches: z.array(z.number().int()),
  /** Seed of initial weights, data order and latents. */
  seed: z.number().int().min(0),
  /** Generated notes per pitch for the diversity (mode-collapse) check at each checkpoint. */
  diversitySamples: z.number().int().min(2).max(64),
});
export type NoteTrainConfig = z.infer<typeof noteTrainConfigSchema>;

export const noteTrainDefaults: NoteTrainConfig = {
  steps: 5000,
  batchSize: 8,
  learningRate: 8e-4,
  beta1: 0,
  beta2: 0.99,
  gradientPenaltyWeight: 10,
  driftWeight: 1e-3,
  generatorPitchLossWeight: 10,
  discriminatorPitchLossWeight: 10,
  generatorTimbreLossWeight: 10,
  discriminatorTimbreLossWeight: 10,
  discriminatorPitchOn: 'real',
  modeSeekingWeight: 0,
  checkpointEvery: 250,
  previewPitches: [36, 48, 60, 72],
  seed: 0,
  diversitySamples: 8,
};

/**
 * Per-preset run defaults. `lite`: 6,500 steps of batch 8 (52k notes, ~14 epochs of the default 3,660-note set) at
 * ~1.7 s of CPU a step split over 2 data-parallel workers (0.81 s a step measured): ~90 minutes on 2 cores. Pitch
 * accuracy of the pitch-map model on the default data: 33% at step 2,000, 77% at 5,000, 78% at 6,500. Its rate is ~4x
 * GANSynth's 8e-4, which suits a million steps, not five thousand: in 150-step probes on the default data (2
 * workers), 8e-4 left the pitch head at chance (cross-entropy 4.08, chance 4.11) while 3e-3 brought it to 3.6 with a
 * stable critic (W ~1, gradient penalty ~1.5, diversity ~0.9); plain He weights at 2e-3 diverged (W 85, diversity
 * 0.002). `tiny`: seconds.
 */
export const PRESET_TRAIN_DEFAULTS: Record<string, Partial<NoteTrainConfig>> = {
  tiny: { steps: 20, batchSize: 4, checkpointEvery: 10, diversitySamples: 4, learningRate: 3e-3 },
  lite: { steps: 6500, batchSize: 8, checkpointEvery: 250, learningRate: 3e-3 },
  paper: { steps: 200000, batchSize: 8, checkpointEvery: 2000, learningRate: 8e-4 },
};

export function trainDefaultsFor(preset: string): NoteTrainConfig {
  return { ...noteTrainDefaults, ...(PRESET_TRAIN_DEFAULTS[preset] ?? {}) };
}

export function parseNoteTrainConfig(raw: unknown, source: string): NoteTrainConfig {
  const parsed = noteTrainConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StudioError('BAD_INPUT', `${source}: ${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return parsed.data;
}
