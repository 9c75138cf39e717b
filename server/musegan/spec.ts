import { z } from 'zod';
import { StudioError } from '../util/errors.js';
import { TRACK_FAMILIES } from '../music/families.js';

/**
 * The loop model's spec: everything needed to rebuild the networks (shapes, widths, design), and nothing about how
 * a run trains them (learning rate, batch, steps live in TrainLoopsConfig). Saved as spec.json in a model folder.
 */

export const GENERATOR_DESIGNS = ['jamming', 'composer', 'hybrid'] as const;
export type GeneratorDesign = (typeof GENERATOR_DESIGNS)[number];

const positive = z.number().int().positive();
const nonNegative = z.number().int().nonnegative();

export const LoopSpecSchema = z
  .object({
    kind: z.literal('loops'),
    formatVersion: z.literal(1),
    preset: z.string().min(1),
    /** MuseGAN's three ways of sharing work between tracks. */
    design: z.enum(GENERATOR_DESIGNS),
    /** Track order of the roll's last axis: TRACK_FAMILIES (recorded so a model folder says what it generates). */
    tracks: z.array(z.enum(TRACK_FAMILIES)).min(1),
    bars: positive,
    beatsPerBar: positive,
    stepsPerBar: positive,
    lowestPitch: z.number().int().min(0).max(127),
    pitchCount: positive,
    /**
     * Latent sizes, MuseGAN's four kinds: shared by all tracks or private to one, fixed over the phrase or fed
     * through a temporal generator that gives one vector per bar. A design uses only some (the others are 0).
     */
    latent: z.object({ shared: nonNegative, sharedTemporal: nonNegative, private: nonNegative, privateTemporal: nonNegative }),
    /** Hidden width of the temporal generators (latent -> one vector per bar). */
    temporalHidden: positive,
    /** Bar generator widths per generator instance, coarse to fine. */
    generator: z.object({
      gridChannels: positive,
      sixteenthChannels: positive,
      streamChannels: positive,
      fineChannels: positive,
      /**
       * A binary on/off decision per bar and track, multiplied into the track's notes (generator.ts): an empty bar is
       * then one decision, not thousands of cells all below threshold. Absent in older spec.json files (no gate).
       */
      activityGate: z.boolean().default(false),
    }),
    critic: z.object({
      patchChannels: positive,
      mergedChannels: positive,
      beatChannels: positive,
      chromaChannels: positive,
      onsetChannels: positive,
      barEmbedding: positive,
      phraseHidden: positive,
      /**
       * Each bar's pitch classes per track, softly counted, fed straight to the bar embedding (critic.ts): what empty
       * bars and pitch classes per bar (EB, UPC) are measured from. Absent in older spec.json files (off).
       */
      barChroma: z.boolean().default(false),
    }),
    /** Track-conditional generation: an encoder of the given tracks feeding the bar generator at three scales. */
    conditioning: z.object({ enabled: z.boolean(), channels: z.tuple([positive, positive, positive]) }),
  })
  .superRefine((spec, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (spec.stepsPerBar % spec.beatsPerBar !== 0) issue('stepsPerBar must be a multiple of beatsPerBar');
    else if ((spec.stepsPerBar / spec.beatsPerBar) % SIXTEENTHS_PER_BEAT !== 0) issue('steps per beat must be a multiple of 4');
    if (spec.pitchCount % SEMITONES !== 0) issue('pitchCount must be whole octaves (a multiple of 12)');
    if (spec.lowestPitch + spec.pitchCount > 128) issue('lowestPitch + pitchCount exceeds the MIDI range');
    if (spec.tracks.join(',') !== TRACK_FAMILIES.join(',')) issue(`tracks must be ${TRACK_FAMILIES.join(', ')} in that order (the roll's track axis)`);
    const l = spec.latent;
    if (spec.design === 'composer' && (l.private || l.privateTemporal)) issue('the composer design has no private latents');
    if (spec.design === 'jamming' && (l.shared || l.sharedTemporal)) issue('the jamming design has no shared latents');
    if (spec.design !== 'jamming' && l.shared + l.sharedTemporal === 0) issue(`the ${spec.design} design needs shared latents`);
    if (spec.design !== 'composer' && l.private + l.privateTemporal === 0) issue(`the ${spec.design} design needs private latents`);
  });

export type LoopSpec = z.infer<typeof LoopSpecSchema>;

export const SEMITONES = 12;
export const SIXTEENTHS_PER_BEAT = 4;

export const LOOP_PRESETS = ['tiny', 'lite', 'paper'] as const;
export type LoopPreset = (typeof LOOP_PRESETS)[number];

/** Splits a total latent size between the kinds a design uses (MuseGAN: equal parts). */
export function splitLatent(design: GeneratorDesign, total: number): LoopSpec['latent'] {
  if (design === 'composer') return { shared: total / 2, sharedTemporal: total / 2, private: 0, privateTemporal: 0 };
  if (design === 'jamming') return { shared: 0, sharedTemporal: 0, private: total / 2, privateTemporal: total / 2 };
  return { shared: total / 4, sharedTemporal: total / 4, private: total / 4, privateTemporal: total / 4 };
}

interface PresetSizes {
  latentTotal: number;
  temporalHidden: number;
  generator: Omit<LoopSpec['generator'], 'activityGate'>;
  critic: Omit<LoopSpec['critic'], 'barChroma'>;
  conditioning: LoopSpec['conditioning']['channels'];
}

const PRESET_SIZES: Record<LoopPreset, PresetSizes> = {
  // For tests: the real data shape, tiny widths.
  tiny: {
    latentTotal: 32,
    temporalHidden: 16,
    generator: { gridChannels: 8, sixteenthChannels: 8, streamChannels: 4, fineChannels: 2 },
    critic: { patchChannels: 8, mergedChannels: 8, beatChannels: 8, chromaChannels: 4, onsetChannels: 4, barEmbedding: 16, phraseHidden: 16 },
    conditioning: [4, 4, 8],
  },
  // The shipped default: sized to train in about an hour on two CPU cores (see bench/loops.ts).
  lite: {
    latentTotal: 128,
    temporalHidden: 128,
    generator: { gridChannels: 48, sixteenthChannels: 32, streamChannels: 16, fineChannels: 4 },
    critic: { patchChannels: 32, mergedChannels: 64, beatChannels: 64, chromaChannels: 16, onsetChannels: 16, barEmbedding: 128, phraseHidden: 128 },
    conditioning: [8, 16, 32],
  },
  // MuseGAN's sizes (4 x 48 x 84 x 5, latent 128); widths in the range of its bar generator and discriminator.
  paper: {
    latentTotal: 128,
    temporalHidden: 1024,
    generator: { gridChannels: 256, sixteenthChannels: 128, streamChannels: 64, fineChannels: 16 },
    critic: { patchChannels: 256, mergedChannels: 256, beatChannels: 256, chromaChannels: 64, onsetChannels: 32, barEmbedding: 512, phraseHidden: 512 },
    conditioning: [64, 128, 256],
  },
};

export interface LoopSpecOptions {
  design?: GeneratorDesign;
  /** Build without the track-conditional encoder (smaller, unconditional only). */
  conditioning?: boolean;
  /** Build without the per-bar, per-track activity gate (generator.ts). */
  activityGate?: boolean;
  /** Build a critic without the per-bar pitch classes per track (critic.ts). */
  barChroma?: boolean;
}

/** The spec of a named preset, on MuseGAN's data shape: 4 bars x 48 steps x 84 pitches (MIDI 24-107) x 5 tracks. */
export function loopSpecFromPreset(preset: string, options: LoopSpecOptions = {}): LoopSpec {
  if (!(LOOP_PRESETS as readonly string[]).includes(preset)) {
    throw new StudioError('BAD_INPUT', `unknown loop preset "${preset}"; use one of ${LOOP_PRESETS.join(', ')}`);
  }
  const sizes = PRESET_SIZES[preset as LoopPreset];
  const design = options.design ?? 'hybrid';
  return parseLoopSpec({
    kind: 'loops',
    formatVersion: 1,
    preset,
    design,
    tracks: [...TRACK_FAMILIES],
    bars: 4,
    beatsPerBar: 4,
    stepsPerBar: 48,
    lowestPitch: 24,
    pitchCount: 84,
    latent: splitLatent(design, sizes.latentTotal),
    temporalHidden: sizes.temporalHidden,
    generator: { ...sizes.generator, activityGate: options.activityGate ?? true },
    critic: { ...sizes.critic, barChroma: options.barChroma ?? true },
    conditioning: { enabled: options.conditioning ?? true, channels: sizes.conditioning },
  });
}

/** Validates a spec read back from spec.json (or built in code); `source` names the file in the error. */
export function parseLoopSpec(value: unknown, source = 'loop spec'): LoopSpec {
  const parsed = LoopSpecSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join('; ');
    throw new StudioError('BAD_FILE', `${source} is not a valid loop model spec: ${problems}`);
  }
  return parsed.data;
}

/** Sizes derived from a spec that the networks share. */
export interface LoopShape {
  tracks: number;
  octaves: number;
  stepsPerBeat: number;
  sixteenthsPerBar: number;
  /** Steps per sixteenth: the last time expansion of the bar generator. */
  stepsPerSixteenth: number;
  /** Generator instances: 1 (composer) or one per track (jamming, hybrid). */
  generatorInstances: number;
  /** Output channels per generator instance. */
  generatorOutputs: number;
  /** Critic instances: one per track for jamming (each judges its own track), else 1. */
  criticInstances: number;
  /** Values per phrase: bars x stepsPerBar x pitchCount x tracks. */
  phraseSize: number;
}

export function loopShape(spec: LoopSpec): LoopShape {
  const tracks = spec.tracks.length;
  const stepsPerBeat = spec.stepsPerBar / spec.beatsPerBar;
  const perInstance = spec.design === 'composer' ? 1 : tracks;
  return {
    tracks,
    octaves: spec.pitchCount / SEMITONES,
    stepsPerBeat,
    sixteenthsPerBar: spec.beatsPerBar * SIXTEENTHS_PER_BEAT,
    stepsPerSixteenth: stepsPerBeat / SIXTEENTHS_PER_BEAT,
    generatorInstances: perInstance,
    generatorOutputs: tracks / perInstance,
    criticInstances: spec.design === 'jamming' ? tracks : 1,
    phraseSize: spec.bars * spec.stepsPerBar * spec.pitchCount * tracks,
  };
}
