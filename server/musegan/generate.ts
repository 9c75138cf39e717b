/**
 * Loop generation from a generator's parameters: seeds -> latents (walked smoothly for loops longer than one
 * phrase) -> note probabilities -> optional key/scale snapping -> threshold -> a MultitrackRoll, with given
 * tracks (locked, conditioning, or silenced) put back exactly. Same options, same seed: same roll, bit for bit.
 */
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { deriveSeed } from '../ml/random.js';
import { TRACK_FAMILIES, type TrackFamily } from '../music/families.js';
import { assertRollShape, type MultitrackRoll } from '../music/roll.js';
import { StudioError } from '../util/errors.js';
import { generatorLogits } from './generator.js';
import { disposeLatentTensors, latentTensors, walkLatents, type PhraseLatent } from './latents.js';
import { inScaleShare, parseKey, parseScale, scalePitchMask, snapToScale, type ScaleName } from './scale.js';
import { loopShape, type LoopSpec } from './spec.js';

export interface LoopGenerateOptions {
  /** Loop length; more than the model's phrase (4 bars) chains phrases along a smooth latent walk. */
  bars: number;
  seed: number;
  /** A cell is on where sigmoid(logit) > threshold. */
  threshold: number;
  tempoBpm: number;
  /** Tracks to play; the others stay silent (a conditional model is told so, and fits the rest to it). */
  tracks?: readonly TrackFamily[];
  /** Tracks kept exactly as in `roll` while the others are (re)generated to fit them. */
  locked?: { roll: MultitrackRoll; tracks: readonly TrackFamily[] };
  /** One track given by the user (e.g. their piano part); the others are generated to fit it. */
  condition?: { roll: MultitrackRoll; track: TrackFamily };
  /** Key (e.g. "C", "F#") and scale of the pitched tracks. Both or neither. */
  key?: string;
  scale?: string;
  /** Latent candidates tried for a key/scale, the one already closest to the scale kept. */
  scaleCandidates?: number;
}

export const LOOP_GENERATE_DEFAULTS: LoopGenerateOptions = { bars: 4, seed: 0, threshold: 0.5, tempoBpm: 120, scaleCandidates: 4 };

export const MAX_LOOP_BARS = 64;

interface Prepared {
  o: LoopGenerateOptions;
  phrases: number;
  /** Per track: 'given' (kept from givenRoll), 'silent' or 'generate'. */
  roles: ('given' | 'silent' | 'generate')[];
  /** [bars][step][pitch][track] of the given tracks, zero elsewhere; null when nothing is given. */
  givenCells: Uint8Array | null;
  /** The given rolls' own velocities in the same layout (kept in the output); null when they have none. */
  givenVelocities: Uint8Array | null;
  scale: { inScale: boolean[] } | null;
}

function prepare(spec: LoopSpec, options: Partial<LoopGenerateOptions>): Prepared {
  const o = { ...LOOP_GENERATE_DEFAULTS, ...options };
  if (!Number.isInteger(o.bars) || o.bars < 1 || o.bars > MAX_LOOP_BARS) throw new StudioError('BAD_INPUT', `bars must be a whole number from 1 to ${MAX_LOOP_BARS}, got ${o.bars}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > Number.MAX_SAFE_INTEGER) throw new StudioError('BAD_INPUT', `seed must be a whole number >= 0, got ${o.seed}`);
  if (!(o.threshold > 0 && o.threshold < 1)) throw new StudioError('BAD_INPUT', `threshold must be between 0 and 1 (exclusive), got ${o.threshold}`);
  if (!(o.tempoBpm >= 20 && o.tempoBpm <= 400)) throw new StudioError('BAD_INPUT', `tempo must be from 20 to 400 bpm, got ${o.tempoBpm}`);
  if ((o.key === undefined) !== (o.scale === undefined)) throw new StudioError('BAD_INPUT', 'give both a key and a scale (e.g. key C, scale major), or neither');
  const candidates = o.scaleCandidates ?? 1;
  if (!Number.isInteger(candidates) || candidates < 1 || candidates > 16) throw new StudioError('BAD_INPUT', `scaleCandidates must be 1-16, got ${candidates}`);

  const tracks = spec.tracks;
  const roles = tracks.map(() => 'generate' as 'given' | 'silent' | 'generate');
  const checkTrack = (name: string, what: string) => {
    if (!(tracks as readonly string[]).includes(name)) throw new StudioError('BAD_INPUT', `${what}: unknown track "${name}"; tracks are ${tracks.join(', ')}`);
  };
  if (o.tracks) {
    if (o.tracks.length === 0) throw new StudioError('BAD_INPUT', 'tracks: name at least one track');
    for (const t of o.tracks) checkTrack(t, 'tracks');
    tracks.forEach((t, i) => {
      if (!o.tracks!.includes(t)) roles[i] = 'silent';
    });
  }
  const phrases = Math.ceil(o.bars / spec.bars);
  let givenCells: Uint8Array | null = null;
  let givenVelocities: Uint8Array | null = null;
  const give = (roll: MultitrackRoll, track: TrackFamily, what: string) => {
    checkTrack(track, what);
    checkRollFits(spec, roll, what);
    givenCells ??= new Uint8Array(phrases * loopShape(spec).phraseSize);
    copyTrackRepeated(spec, roll.data, roll.bars, TRACK_FAMILIES.indexOf(track), givenCells, tracks.indexOf(track));
    if (roll.velocities) {
      givenVelocities ??= new Uint8Array(givenCells.length);
      copyTrackRepeated(spec, roll.velocities, roll.bars, TRACK_FAMILIES.indexOf(track), givenVelocities, tracks.indexOf(track));
    }
    roles[tracks.indexOf(track)] = 'given';
  };
  if (o.locked) {
    if (o.locked.tracks.length === 0) throw new StudioError('BAD_INPUT', 'locked: name at least one locked track');
    for (const t of o.locked.tracks) give(o.locked.roll, t, 'locked');
  }
  if (o.condition) give(o.condition.roll, o.condition.track, 'condition');
  if (!roles.includes('generate')) throw new StudioError('BAD_INPUT', 'nothing left to generate: every track is locked, given or silenced');
  if (!spec.conditioning.enabled && roles.includes('given')) {
    throw new StudioError('UNAVAILABLE', 'this loop model was trained without track conditioning; it cannot fit tracks to given ones');
  }
  let scale: Prepared['scale'] = null;
  if (o.key !== undefined && o.scale !== undefined) {
    const name: ScaleName = parseScale(o.scale);
    scale = { inScale: scalePitchMask(parseKey(o.key), name, spec.lowestPitch, spec.pitchCount) };
  }
  return { o, phrases, roles, givenCells, givenVelocities, scale };
}

function checkRollFits(spec: LoopSpec, roll: MultitrackRoll, what: string): void {
  assertRollShape(roll, what);
  if (roll.stepsPerBar !== spec.stepsPerBar || roll.pitchCount !== spec.pitchCount || roll.lowestPitch !== spec.lowestPitch) {
    throw new StudioError('BAD_INPUT', `${what}: roll is ${roll.stepsPerBar} steps x ${roll.pitchCount} pitches from ${roll.lowestPitch}; the model needs ${spec.stepsPerBar} x ${spec.pitchCount} from ${spec.lowestPitch}`);
  }
  if (roll.bars < 1) throw new StudioError('BAD_INPUT', `${what}: roll has no bars`);
}

/** Copies one track of a roll's cells into `out` (phrase-major), repeating the roll's bars to fill the loop. */
function copyTrackRepeated(spec: LoopSpec, cells: Uint8Array, rollBars: number, fromTrack: number, out: Uint8Array, toTrack: number): void {
  const tracks = spec.tracks.length;
  const cellsPerBar = spec.stepsPerBar * spec.pitchCount;
  const totalBars = out.length / (cellsPerBar * tracks);
  for (let bar = 0; bar < totalBars; bar++) {
    const source = bar % rollBars;
    for (let c = 0; c < cellsPerBar; c++) {
      out[(bar * cellsPerBar + c) * tracks + toTrack] = cells[(source * cellsPerBar + c) * TRACK_FAMILIES.length + fromTrack]!;
    }
  }
}

/** Generates one loop per options object, all in one forward pass. */
/** `gateOffsets`: the model's gate calibration (gate-calibration.ts), one logit offset per track. */
export function generateLoops(store: ParamStore, spec: LoopSpec, requests: readonly Partial<LoopGenerateOptions>[], gateOffsets?: readonly number[]): MultitrackRoll[] {
  const prepared = requests.map((r) => prepare(spec, r));
  // Candidate 0 is the seed itself; for a key/scale, more candidates from seeds derived from it.
  const plans = prepared.map((p) => {
    const candidates = p.scale ? (p.o.scaleCandidates ?? 1) : 1;
    const seeds = Array.from({ length: candidates }, (_, c) => (c === 0 ? p.o.seed : deriveSeed(p.o.seed, `scale-candidate:${c}`)));
    return { p, candidates, latents: seeds.flatMap((seed) => walkLatents(spec, seed, p.phrases)) };
  });
  const probabilities = phraseProbabilities(store, spec, plans.flatMap((plan) => plan.latents.map((latent, i) => ({ latent, p: plan.p, phrase: i % plan.p.phrases }))), gateOffsets);
  const phraseSize = loopShape(spec).phraseSize;
  let offset = 0;
  return plans.map((plan) => {
    const perCandidate = plan.p.phrases * phraseSize;
    const all = probabilities.subarray(offset, offset + plan.candidates * perCandidate);
    offset += plan.candidates * perCandidate;
    return finishLoop(spec, plan.p, all, plan.candidates);
  });
}

/** Chooses the candidate closest to the scale, snaps it, thresholds it and puts the given tracks back. */
function finishLoop(spec: LoopSpec, p: Prepared, probabilities: Float32Array, candidates: number): MultitrackRoll {
  const shape = loopShape(spec);
  const { o } = p;
  const perCandidate = p.phrases * shape.phraseSize;
  const drums = spec.tracks.indexOf('drums');
  const snap = p.scale ? { inScale: p.scale.inScale, pitchCount: spec.pitchCount, tracks: shape.tracks, skipTracks: [drums, ...p.roles.flatMap((role, t) => (role === 'generate' ? [] : [t]))] } : null;
  let chosen = probabilities.subarray(0, perCandidate);
  if (snap && candidates > 1) {
    let best = -1;
    for (let c = 0; c < candidates; c++) {
      const candidate = probabilities.subarray(c * perCandidate, (c + 1) * perCandidate);
      const share = inScaleShare(candidate, snap);
      if (share > best) {
        best = share;
        chosen = candidate;
      }
    }
  }
  const cells = new Float32Array(chosen);
  if (snap) snapToScale(cells, snap);
  const data = new Uint8Array((o.bars * shape.phraseSize) / spec.bars);
  for (let i = 0; i < data.length; i++) {
    const role = p.roles[i % shape.tracks];
    data[i] = role === 'given' ? p.givenCells![i]! : role === 'silent' ? 0 : cells[i]! > o.threshold ? 1 : 0;
  }
  const roll: MultitrackRoll = { bars: o.bars, stepsPerBar: spec.stepsPerBar, lowestPitch: spec.lowestPitch, pitchCount: spec.pitchCount, tempoBpm: o.tempoBpm, beatsPerBar: spec.beatsPerBar, data };
  if (p.givenVelocities) roll.velocities = p.givenVelocities.slice(0, data.length);
  return roll;
}

/** sigmoid(logits) of every phrase, [phrase][bar][step][pitch][track] back to back. */
function phraseProbabilities(
  store: ParamStore,
  spec: LoopSpec,
  phrases: { latent: PhraseLatent; p: Prepared; phrase: number }[],
  gateOffsets: readonly number[] | undefined,
): Float32Array {
  const shape = loopShape(spec);
  const count = phrases.length;
  const tracks = shape.tracks;
  // The generator is told which tracks are given: the given cells, and silenced tracks given as empty.
  const mask = new Float32Array(count * tracks);
  const given = new Float32Array(count * shape.phraseSize);
  if (spec.conditioning.enabled) {
    phrases.forEach(({ p, phrase }, l) => {
      p.roles.forEach((role, t) => {
        if (role !== 'generate') mask[l * tracks + t] = 1;
      });
      if (p.givenCells) given.set(p.givenCells.subarray(phrase * shape.phraseSize, (phrase + 1) * shape.phraseSize), l * shape.phraseSize);
    });
  }
  const z = latentTensors(spec, phrases.map((x) => x.latent));
  const probabilities = tf.tidy(() => {
    const roll = tf.tensor4d(given, [count * spec.bars, spec.stepsPerBar, spec.pitchCount, tracks]);
    return tf.sigmoid(generatorLogits(store, spec, z, { roll, mask: tf.tensor2d(mask, [count, tracks]) }, gateOffsets));
  });
  try {
    return new Float32Array(probabilities.dataSync());
  } finally {
    probabilities.dispose();
    disposeLatentTensors(z);
  }
}
