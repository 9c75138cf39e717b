/**
 * The MuseGAN generator: temporal generators (latent -> one vector per bar) feeding bar generators that paint
 * each bar's piano roll. The design decides how tracks share work:
 *   composer  one bar generator, fed shared latents only, paints all tracks (output channels = tracks);
 *   jamming   one bar generator per track, each fed only its own private latents;
 *   hybrid    one bar generator per track, fed the shared latents and its own private ones (the default).
 * Per-track generators run as instances (see block-layers.ts). Bars are folded into the batch, so
 * every tensor stays rank <= 4.
 */
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { expandPitch, expandTime, generatorActivation, instanceDense, leakyAll, type Grid, type LayerInput } from './block-layers.js';
import { encodeCondition } from './encoder.js';
import type { LatentTensors } from './latents.js';
import { SEMITONES, SIXTEENTHS_PER_BEAT, loopShape, type LoopSpec } from './spec.js';
import { repeatPerBar, temporalGenerator } from './temporal.js';

/**
 * Initial bias of the output logits: sigmoid(-4) ~ 1.8%, about the share of cells that are on in real loops, so
 * the untrained generator starts near the data's density instead of with half the roll on.
 */
export const OUTPUT_PRIOR_LOGIT = -4;

/** Tracks given to the generator: values on given tracks, a mask of which tracks are given. */
export interface GivenTracks {
  /** [batch*bars, stepsPerBar, pitchCount, tracks], 0/1; tracks that are not given must be zero. */
  roll: tf.Tensor4D;
  /** [batch, tracks], 1 where the track is given. */
  mask: tf.Tensor2D;
}

/** Free generation's given tracks for `phrases` phrases: none (an all-zero roll and mask). */
export function noGivenTracks(spec: LoopSpec, phrases: number): GivenTracks {
  const tracks = spec.tracks.length;
  return { roll: tf.zeros([phrases * spec.bars, spec.stepsPerBar, spec.pitchCount, tracks]), mask: tf.zeros([phrases, tracks]) };
}

/**
 * Initial bias of the activity gate's logit: with the He-initialised weights' spread (~1.4) about three bars in four
 * start on, near the share of non-empty bars per track in real loops.
 */
export const GATE_PRIOR_LOGIT = 1;

/** What the bar generator paints: note logits, and with an activity gate one logit per bar and track. */
export interface GeneratorParts {
  /** [batch*bars, stepsPerBar, pitchCount, tracks] */
  notes: tf.Tensor4D;
  /** [batch*bars, 1, 1, tracks], or null when the spec has no gate. */
  gate: tf.Tensor4D | null;
}

/**
 * Logits of the note-on probabilities as generation reads them: [batch*bars, stepsPerBar, pitchCount, tracks]
 * (row = sample*bars + bar, channels-last like MultitrackRoll). A bar whose gate is off (logit <= 0, the binary
 * neuron's threshold) gets logits far below any threshold. `given` is required when the spec has conditioning
 * (all-zero for free generation) and ignored otherwise. `gateOffsets` (one per track, logit units) shift the gates'
 * threshold, as a calibrated model asks.
 */
export function generatorLogits(p: ParamStore, spec: LoopSpec, latents: LatentTensors, given?: GivenTracks, gateOffsets?: readonly number[]): tf.Tensor4D {
  const { notes, gate } = generatorParts(p, spec, latents, given);
  if (!gate) return notes;
  // Calibrated models (gate-calibration.ts) move each track's gate threshold: [1, 1, 1, tracks] added to every bar's.
  const shifted = gateOffsets ? tf.add(gate, tf.tensor4d(Float32Array.from(gateOffsets), [1, 1, 1, gateOffsets.length])) : gate;
  return tf.sub(notes, tf.mul(tf.cast(tf.lessEqual(shifted, 0), 'float32'), GATED_OFF)) as tf.Tensor4D;
}

/** Subtracted from the logits of a gated-off bar: sigmoid(-1e4) is 0 in float32. */
const GATED_OFF = 1e4;

/** The generator's note logits and activity gate (see GeneratorParts); training combines them in binarize.ts. */
export function generatorParts(p: ParamStore, spec: LoopSpec, latents: LatentTensors, given?: GivenTracks): GeneratorParts {
  const shape = loopShape(spec);
  const g = spec.generator;
  const instances = shape.generatorInstances;
  const batch = batchSize(latents);
  const n = batch * spec.bars;

  // Per-bar input of each instance [n, dim]: the shared parts, then its private parts (small: concatenated, so the
  // first layer is one product per instance).
  const shared: tf.Tensor2D[] = [];
  if (latents.shared) shared.push(repeatPerBar(latents.shared, spec.bars));
  if (latents.sharedTemporal) shared.push(temporalGenerator(p, 'generator/temporal-shared', [latents.sharedTemporal], temporalOptions(spec))[0]!);
  if (spec.conditioning.enabled) {
    if (!given) throw new Error('generatorLogits: this spec is conditional; pass `given` (all zero for free generation)');
    shared.push(repeatPerBar(given.mask, spec.bars));
  }
  const privateParts: tf.Tensor2D[][] = Array.from({ length: instances }, () => []);
  if (latents.private) latents.private.forEach((z, i) => privateParts[i]!.push(repeatPerBar(z, spec.bars)));
  if (latents.privateTemporal) temporalGenerator(p, 'generator/temporal-private', latents.privateTemporal, temporalOptions(spec)).forEach((z, i) => privateParts[i]!.push(z));
  const sharedInput = shared.length === 0 ? null : shared.length === 1 ? shared[0]! : (tf.concat(shared, 1) as tf.Tensor2D);
  const inputs: LayerInput = privateParts.map((parts) => {
    const all = sharedInput ? [sharedInput, ...parts] : parts;
    return all.length === 1 ? all[0]! : (tf.concat(all, 1) as tf.Tensor2D);
  });

  const cond = spec.conditioning.enabled && given ? encodeCondition(p, spec, given.roll) : null;
  const withCondition = (own: tf.Tensor2D[], features: tf.Tensor2D | undefined): LayerInput[] => (features ? [own, features] : [own]);

  // [n, L] -> [n*beats*octaves, grid]: one cell per beat and octave.
  let grid: Grid = { n, h: spec.beatsPerBar, w: shape.octaves };
  const cells = grid.h * grid.w;
  const h = generatorActivation(
    instanceDense(p, 'generator/bar/grid', instances, [inputs], cells * g.gridChannels).map((y) => tf.reshape(y, [n * cells, g.gridChannels]) as tf.Tensor2D),
  );
  const sixteenths = expandTime(p, 'generator/bar/sixteenths', instances, withCondition(h, cond?.beats), grid, SIXTEENTHS_PER_BEAT, g.sixteenthChannels); // [n*16*7, c]
  grid = sixteenths.grid;
  const h16 = generatorActivation(sixteenths.y);
  const h16In = withCondition(h16, cond?.sixteenths);

  // Two streams, as MuseGAN: pitch first then time, and time first then pitch, meeting at full resolution. The
  // streams' features are the largest tensors here, so they get leaky ReLU without pixel norm; the two streams'
  // full-resolution maps are summed (not concatenated) and pass one nonlinearity before the 1x1 output layer, so
  // each cell decides from both (a note held over steps needs that; two linear maps summed fragment notes).
  const outputs = shape.generatorOutputs;
  const a1 = expandPitch(p, 'generator/bar/pitch-time/pitch', instances, h16In, grid, SEMITONES, g.streamChannels); // [n*16*84, c]
  const a2 = expandTime(p, 'generator/bar/pitch-time/time', instances, [leakyAll(a1.y)], a1.grid, shape.stepsPerSixteenth, g.fineChannels);
  const b1 = expandTime(p, 'generator/bar/time-pitch/time', instances, h16In, grid, shape.stepsPerSixteenth, g.streamChannels); // [n*48*7, c]
  const b2 = expandPitch(p, 'generator/bar/time-pitch/pitch', instances, withCondition(leakyAll(b1.y), cond?.steps), b1.grid, SEMITONES, g.fineChannels);
  const merged = leakyAll(a2.y.map((a, i) => tf.add(a, b2.y[i]!) as tf.Tensor2D)); // [n*48*84, fine]
  const logits = instanceDense(p, 'generator/bar/out', instances, [merged], outputs, { tiedBlocks: 1, bias: OUTPUT_PRIOR_LOGIT });

  const fine = n * spec.stepsPerBar * spec.pitchCount;
  const channelsLast = instances === 1 ? logits[0]! : tf.transpose(tf.concat(logits.map((l) => tf.reshape(l, [1, fine])), 0));
  const notes = tf.reshape(channelsLast, [n, spec.stepsPerBar, spec.pitchCount, shape.tracks]) as tf.Tensor4D;
  if (!g.activityGate) return { notes, gate: null };
  // One logit per bar and track, from the same per-bar inputs as the bar generator: [n, outputs] per instance.
  const gateLogits = instanceDense(p, 'generator/bar/activity', instances, [inputs], outputs, { tiedBlocks: 1, bias: GATE_PRIOR_LOGIT });
  const gate = instances === 1 ? gateLogits[0]! : tf.concat(gateLogits, 1);
  return { notes, gate: tf.reshape(gate, [n, 1, 1, shape.tracks]) as tf.Tensor4D };
}

function temporalOptions(spec: LoopSpec) {
  return { bars: spec.bars, hidden: spec.temporalHidden };
}

function batchSize(latents: LatentTensors): number {
  if (latents.shared) return latents.shared.shape[0];
  if (latents.sharedTemporal) return latents.sharedTemporal.shape[0];
  if (latents.private) return latents.private[0]!.shape[0];
  if (latents.privateTemporal) return latents.privateTemporal[0]!.shape[0];
  throw new Error('generatorLogits: no latents');
}

/**
 * Puts the given tracks back over the generated ones: the critic judges, and the user receives, the given tracks
 * exactly as given. probs [n, steps, pitches, tracks]; mask [batch, tracks].
 */
export function compositeGiven(spec: LoopSpec, generated: tf.Tensor4D, given: GivenTracks): tf.Tensor4D {
  const tracks = spec.tracks.length;
  const n = generated.shape[0];
  const mask = tf.reshape(repeatPerBar(given.mask, spec.bars), [n, 1, 1, tracks]);
  // given.roll is zero off the mask already, so this is given + generated * (1 - mask).
  return tf.add(given.roll, tf.mul(generated, tf.sub(1, mask)));
}
