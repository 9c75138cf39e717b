/**
 * The note model's spec: every shape needed to rebuild the generator and discriminator (saved as spec.json in the
 * model folder). Training-run settings (learning rate, batch, steps) live apart, in train-config.ts.
 *
 * Layout: NHWC images of [frames, mel bins, 2] (log-magnitude, instantaneous frequency), both in [-1, 1], exactly
 * the spectral preset's IF-Mel; both sides must be multiples of 2^(blocks-1) (the spectral presets use powers of 2).
 */
import { z } from 'zod';
import { StudioError } from '../util/errors.js';
import { getSpectralPreset, validateSpectralPreset, type SpectralPreset } from '../spectral/presets.js';

export const MIDI_PITCH_MIN = 24;
export const MIDI_PITCH_MAX = 84;

export const NOTE_PRESETS = ['tiny', 'lite', 'paper'] as const;
export type NotePresetName = (typeof NOTE_PRESETS)[number];

/** The spectral preset, carried whole so a model folder converts its images to audio with nothing else. */
const spectralSchema = z.object({
  name: z.string(),
  sampleRate: z.number().int().positive(),
  seconds: z.number().positive(),
  samples: z.number().int().positive(),
  nFft: z.number().int().positive(),
  hop: z.number().int().positive(),
  frames: z.number().int().positive(),
  melBins: z.number().int().positive(),
  linearBins: z.number().int().positive(),
  dynamicRangeDb: z.number().positive(),
  fMinHz: z.number().min(0),
  fMaxHz: z.number().positive(),
}) satisfies z.ZodType<SpectralPreset>;

const blockSchema = z.object({
  /** Channels per block, from the small start grid to the full spectrogram (generator) or the reverse (discriminator). */
  channels: z.array(z.number().int().positive()).min(2).max(8),
  /** 3x3 convolutions per block (GANSynth uses 2; 1 halves the cost). */
  convsPerBlock: z.number().int().min(1).max(2),
});

/** The instruments or families a model is conditioned on (timbre-classes.ts); classes[i] is component i of the latent. */
const timbreClassesSchema = z
  .object({
    by: z.enum(['instrument', 'family']),
    classes: z.array(z.string().min(1)).min(2).max(64),
    /** Added to the class components before the argmax, so each class comes up as often as in the data. */
    offsets: z.array(z.number().finite()),
  })
  .refine((t) => t.offsets.length === t.classes.length && new Set(t.classes).size === t.classes.length, {
    message: 'timbre classes must be distinct, with one offset each',
  });
export type TimbreClasses = z.infer<typeof timbreClassesSchema>;

export const noteModelSpecSchema = z.object({
  kind: z.literal('notes'),
  formatVersion: z.literal(1),
  preset: z.string(),
  spectral: spectralSchema,
  midiPitchMin: z.number().int().min(0).max(127),
  midiPitchMax: z.number().int().min(0).max(127),
  latentSize: z.number().int().positive().max(4096),
  /** Null: no instrument conditioning (older spec.json files, and data without usable labels). */
  timbreClasses: timbreClassesSchema.nullable().default(null),
  generator: blockSchema.extend({
    /**
     * Feed the generator, at every block and at its output layer, the IF-Mel of an ideal harmonic tone at the
     * requested pitch (server/spectral/harmonic-template.ts) beside its features. Absent in older spec.json files
     * (one-hot pitch only).
     */
    pitchMaps: z.boolean().default(false),
    /**
     * A fixed last layer that sets the IF of the requested pitch's first partials to exact multiples of f0
     * (harmonic-if-lock.ts). Absent in older spec.json files (off).
     */
    harmonicIfLock: z.boolean().default(false),
  }),
  discriminator: blockSchema.extend({ minibatchStddevGroup: z.number().int().positive() }),
  /** ProGAN's run-time He scaling of the weights, so Adam treats every layer alike. */
  equalizedLearningRate: z.boolean(),
  leakyReluSlope: z.number().min(0).max(1),
});
export type NoteModelSpec = z.infer<typeof noteModelSpecSchema>;

interface ArchitecturePreset {
  latentSize: number;
  generatorChannels: number[];
  discriminatorChannels: number[];
  convsPerBlock: number;
}

/**
 * Sizes per preset (channels from the start grid up, for G; from the full spectrogram down, for D):
 * - `paper`: GANSynth's (256-latent, 7 blocks from 2x16 to 128x1024, 256 filters halving to 32, two convs a block).
 * - `lite`: the same recipe on the 64x128 IF-Mel, 5 blocks from 4x8, channels halving from 64 to 8 and one conv a
 *   block: ~34M multiply-adds per note per network. Measured on wasm: 96..16 channels cost 3.6 s of CPU per batch-8
 *   WGAN-GP step, these 1.4 s (1.7 s over 2 data-parallel workers, ~0.9 s of wall time on 2 cores): 5,000 steps
 *   (40k notes, ~11 epochs of the default set) fit the 90-minute budget.
 * - `tiny`: for tests (a step in a fraction of a second).
 * All keep GANSynth's equalized learning rate (weights stored at N(0, 1), He-scaled at run time); the run config
 * sets the rate (train-config.ts). Plain He-initialised weights were tried for `lite` and diverged at 2e-3.
 */
const ARCHITECTURES: Record<NotePresetName, ArchitecturePreset> = {
  tiny: { latentSize: 8, generatorChannels: [8, 8, 4], discriminatorChannels: [4, 8, 8], convsPerBlock: 1 },
  lite: { latentSize: 64, generatorChannels: [64, 64, 32, 16, 8], discriminatorChannels: [8, 16, 32, 64, 64], convsPerBlock: 1 },
  paper: {
    latentSize: 256,
    generatorChannels: [256, 256, 256, 256, 128, 64, 32],
    discriminatorChannels: [32, 64, 128, 256, 256, 256, 256],
    convsPerBlock: 2,
  },
};

/** Builds the spec of `preset`, on the spectral preset of the same name unless another is given. */
export function noteModelSpec(preset: string, spectralPreset?: SpectralPreset): NoteModelSpec {
  if (!(NOTE_PRESETS as readonly string[]).includes(preset)) {
    throw new StudioError('BAD_INPUT', `unknown note preset "${preset}"; use one of ${NOTE_PRESETS.join(', ')}`);
  }
  const arch = ARCHITECTURES[preset as NotePresetName];
  const spectral = spectralPreset ?? getSpectralPreset(preset);
  const spec: NoteModelSpec = {
    kind: 'notes',
    formatVersion: 1,
    preset,
    spectral,
    midiPitchMin: MIDI_PITCH_MIN,
    midiPitchMax: MIDI_PITCH_MAX,
    latentSize: arch.latentSize,
    timbreClasses: null, // set from the data when a run starts (timbre-classes.ts)
    generator: { channels: arch.generatorChannels, convsPerBlock: arch.convsPerBlock, pitchMaps: true, harmonicIfLock: true },
    discriminator: { channels: arch.discriminatorChannels, convsPerBlock: arch.convsPerBlock, minibatchStddevGroup: 4 },
    equalizedLearningRate: true,
    leakyReluSlope: 0.2,
  };
  return checkNoteModelSpec(spec, `preset ${preset}`);
}

/** Validates a spec read back from spec.json (or built here): shape, and the grid arithmetic. */
export function parseNoteModelSpec(raw: unknown, source = 'spec.json'): NoteModelSpec {
  const parsed = noteModelSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StudioError('BAD_FILE', `${source}: not a note model spec (${issue.path.join('.') || 'root'}: ${issue.message})`);
  }
  return checkNoteModelSpec(parsed.data, source);
}

function checkNoteModelSpec(spec: NoteModelSpec, source: string): NoteModelSpec {
  const blocks = spec.generator.channels.length;
  const factor = 2 ** (blocks - 1);
  const problems: string[] = [];
  if (spec.discriminator.channels.length !== blocks) problems.push('generator and discriminator need the same number of blocks');
  const [frames, melBins] = imageShape(spec);
  if (frames % factor || melBins % factor) problems.push(`${frames} x ${melBins} spectrogram is not a multiple of ${factor} (${blocks} blocks)`);
  try {
    validateSpectralPreset(spec.spectral);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (spec.midiPitchMin > spec.midiPitchMax) problems.push('midiPitchMin > midiPitchMax');
  if (spec.timbreClasses && spec.timbreClasses.classes.length > spec.latentSize) problems.push('more timbre classes than latent components');
  if (problems.length) throw new StudioError('BAD_FILE', `${source}: ${problems.join('; ')}`);
  return spec;
}

/** Timbre classes of the spec (0 when it has none). */
export function timbreClassCount(spec: NoteModelSpec): number {
  return spec.timbreClasses?.classes.length ?? 0;
}

export function pitchCount(spec: NoteModelSpec): number {
  return spec.midiPitchMax - spec.midiPitchMin + 1;
}

/** [frames, melBins]: the image size of one note (channels: 2). */
export function imageShape(spec: NoteModelSpec): [number, number] {
  return [spec.spectral.frames, spec.spectral.melBins];
}

/** [height, width] of the generator's first block. */
export function startShape(spec: NoteModelSpec): [number, number] {
  const factor = 2 ** (spec.generator.channels.length - 1);
  const [frames, melBins] = imageShape(spec);
  return [frames / factor, melBins / factor];
}

/** Throws a clear BAD_INPUT unless every pitch is an integer the model was trained on. */
export function checkPitches(spec: NoteModelSpec, midiPitches: readonly number[]): void {
  for (const p of midiPitches) {
    if (!Number.isInteger(p) || p < spec.midiPitchMin || p > spec.midiPitchMax) {
      throw new StudioError('BAD_INPUT', `pitch ${p} is outside this model's range: MIDI ${spec.midiPitchMin}-${spec.midiPitchMax}`);
    }
  }
}
