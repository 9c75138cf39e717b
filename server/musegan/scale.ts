/**
 * The key and scale constraint of generated loops: which pitches are in a scale, and moving the generator's note
 * probabilities onto them. Pure: no tfjs.
 */
import { StudioError } from '../util/errors.js';

/** Semitone offsets from the tonic. */
export const SCALES = {
  major: [0, 2, 4, 5, 7, 9, 11],
  minor: [0, 2, 3, 5, 7, 8, 10],
  'harmonic-minor': [0, 2, 3, 5, 7, 8, 11],
  dorian: [0, 2, 3, 5, 7, 9, 10],
  mixolydian: [0, 2, 4, 5, 7, 9, 10],
  'major-pentatonic': [0, 2, 4, 7, 9],
  'minor-pentatonic': [0, 3, 5, 7, 10],
  blues: [0, 3, 5, 6, 7, 10],
} as const satisfies Record<string, readonly number[]>;
export type ScaleName = keyof typeof SCALES;
export const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];

const NOTE_NAMES: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** Pitch class of a key name: C, C#, Db, F#, Bb ... (case-insensitive letter; '#'/'b' or '♯'/'♭'). */
export function parseKey(name: string): number {
  const match = /^([A-Ga-g])([#♯b♭]?)$/.exec(name.trim());
  if (!match) throw new StudioError('BAD_INPUT', `key "${name}" is not a note name (use e.g. C, F#, Bb)`);
  const base = NOTE_NAMES[match[1]!.toUpperCase()]!;
  const accidental = match[2] === '#' || match[2] === '♯' ? 1 : match[2] === 'b' || match[2] === '♭' ? -1 : 0;
  return (base + accidental + 12) % 12;
}

export function parseScale(name: string): ScaleName {
  if ((SCALE_NAMES as string[]).includes(name)) return name as ScaleName;
  throw new StudioError('BAD_INPUT', `scale "${name}" is not known; use one of ${SCALE_NAMES.join(', ')}`);
}

/** inScale[pitchIndex] for a roll's pitch range. */
export function scalePitchMask(keyPitchClass: number, scale: ScaleName, lowestPitch: number, pitchCount: number): boolean[] {
  const classes = new Set<number>(SCALES[scale].map((o) => (o + keyPitchClass) % 12));
  return Array.from({ length: pitchCount }, (_, i) => classes.has((lowestPitch + i) % 12));
}

export interface ScaleSnapOptions {
  /** inScale[pitchIndex]. */
  inScale: readonly boolean[];
  pitchCount: number;
  tracks: number;
  /** Tracks left alone (drums: their pitches are instruments, not notes). */
  skipTracks: readonly number[];
}

/**
 * Moves each out-of-scale pitch's probability onto its in-scale neighbour a semitone away (the likelier of the
 * two when both are), keeping the larger value, and zeroes it: notes the network placed a semitone off land in the
 * scale instead of vanishing. `probabilities` is channels-last [row][pitch][track]; changed in place.
 */
export function snapToScale(probabilities: Float32Array, options: ScaleSnapOptions): void {
  const { inScale, pitchCount, tracks } = options;
  const skip = new Set(options.skipTracks);
  const rowSize = pitchCount * tracks;
  for (let base = 0; base < probabilities.length; base += rowSize) {
    for (let t = 0; t < tracks; t++) {
      if (skip.has(t)) continue;
      for (let p = 0; p < pitchCount; p++) {
        if (inScale[p]) continue;
        const i = base + p * tracks + t;
        const v = probabilities[i]!;
        probabilities[i] = 0;
        if (v === 0) continue;
        const below = p > 0 && inScale[p - 1] ? base + (p - 1) * tracks + t : -1;
        const above = p + 1 < pitchCount && inScale[p + 1] ? base + (p + 1) * tracks + t : -1;
        let target = below;
        if (above >= 0 && (below < 0 || probabilities[above]! > probabilities[below]!)) target = above;
        if (target >= 0 && probabilities[target]! < v) probabilities[target] = v;
      }
    }
  }
}

/** Share of probability mass on in-scale pitches (pitched tracks): how well a candidate fits the scale already. */
export function inScaleShare(probabilities: Float32Array, options: ScaleSnapOptions): number {
  const { inScale, pitchCount, tracks } = options;
  const skip = new Set(options.skipTracks);
  let inside = 0;
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const t = i % tracks;
    if (skip.has(t)) continue;
    const v = probabilities[i]!;
    total += v;
    if (inScale[Math.floor(i / tracks) % pitchCount]) inside += v;
  }
  return total > 0 ? inside / total : 1;
}
