/**
 * MuseGAN's objective metrics (Dong et al., AAAI 2018, section "Objective metrics"), computed on plain rolls:
 *
 *   EB  empty bars (%)                 per track: bars with no note / all bars
 *   UPC used pitch classes per bar     per pitched track: distinct pitch classes (0-12), mean over non-empty bars
 *   QN  qualified notes (%)            per pitched track: notes of >= 3 steps at 48 steps per bar (a 16th note;
 *                                      scaled for other grids) / all notes; a note is a run of on-cells of one
 *                                      pitch along the whole loop, so bar lines do not cut notes
 *   DP  drum pattern (%)               drums: drum onsets on the 16th-note grid (which holds the 8th grid) /
 *                                      all drum onsets
 *   TD  tonal distance                 per pair of pitched tracks: per beat, each track's chroma (normalised to
 *                                      sum 1) is mapped to Harte et al.'s 6-D tonal centroid (r1 = r2 = 1,
 *                                      r3 = 0.5); TD is the mean Euclidean distance over beats where both
 *                                      tracks sound. Larger = weaker harmonic relation.
 *
 * Ratios are pooled over every bar/note/beat of every loop. Pitch classes use the true MIDI pitch
 * (lowestPitch + index) mod 12. A figure that has nothing to measure (no notes) is null.
 */
import { StudioError } from '../util/errors.js';
import { TRACK_COUNT, TRACK_FAMILIES, type TrackFamily } from './families.js';
import { assertRollShape, type MultitrackRoll } from './roll.js';

export interface TrackMetrics {
  emptyBarsPercent: number | null;
  usedPitchClassesPerBar: number | null;
  qualifiedNotesPercent: number | null;
  drumPatternPercent: number | null;
}

export interface LoopMetrics {
  loops: number;
  /** Bars measured per track (loops x bars per loop). */
  bars: number;
  tracks: Record<TrackFamily, TrackMetrics>;
  /** Keyed "bass-piano" etc., pitched pairs in TRACK_FAMILIES order. */
  tonalDistance: Record<string, number | null>;
}

export interface LoopMetricsOptions {
  /** Shortest qualified note in steps; default 3 at 48 steps per bar (a 16th note), scaled to the grid. */
  qualifiedNoteMinSteps?: number;
}

const PITCHED_TRACKS = TRACK_FAMILIES.map((_, t) => t).filter((t) => TRACK_FAMILIES[t] !== 'drums');
const DRUM_TRACK = TRACK_FAMILIES.indexOf('drums');

/** Pairs of pitched tracks, e.g. [bass, piano]. */
export const TONAL_DISTANCE_PAIRS: readonly (readonly [TrackFamily, TrackFamily])[] = PITCHED_TRACKS.flatMap((a, i) =>
  PITCHED_TRACKS.slice(i + 1).map((b) => [TRACK_FAMILIES[a]!, TRACK_FAMILIES[b]!] as const),
);

/** Harte, Sandler & Gasser (2006) tonal centroid matrix, 6 x 12: fifths, minor thirds, major thirds circles. */
export function tonalMatrix(r1 = 1, r2 = 1, r3 = 0.5): number[][] {
  const rows: number[][] = [];
  const circles: [number, number][] = [
    [r1, (7 * Math.PI) / 6],
    [r2, (3 * Math.PI) / 2],
    [r3, (2 * Math.PI) / 3],
  ];
  for (const [r, angle] of circles) {
    rows.push(Array.from({ length: 12 }, (_, l) => r * Math.sin(l * angle)));
    rows.push(Array.from({ length: 12 }, (_, l) => r * Math.cos(l * angle)));
  }
  return rows;
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

/** Tonal distance between two chroma vectors (each normalised to sum 1 first). */
export function tonalDistance(chromaA: ArrayLike<number>, chromaB: ArrayLike<number>, matrix = tonalMatrix()): number {
  const sumA = sum(chromaA);
  const sumB = sum(chromaB);
  let squared = 0;
  for (const row of matrix) {
    let a = 0;
    let b = 0;
    for (let pc = 0; pc < 12; pc++) {
      a += row[pc]! * chromaA[pc]!;
      b += row[pc]! * chromaB[pc]!;
    }
    squared += (a / sumA - b / sumB) ** 2;
  }
  return Math.sqrt(squared);
}

interface TrackCounts {
  bars: number;
  emptyBars: number;
  pitchClassesInNonEmptyBars: number;
  notes: number;
  qualifiedNotes: number;
  onsets: number;
  onsetsOnGrid: number;
}

function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

/** Streams rolls in one at a time (a dataset need not fit in memory as rolls); `result()` gives the figures. */
export class LoopMetricsAccumulator {
  private loops = 0;
  private readonly counts: TrackCounts[] = TRACK_FAMILIES.map(() => ({
    bars: 0,
    emptyBars: 0,
    pitchClassesInNonEmptyBars: 0,
    notes: 0,
    qualifiedNotes: 0,
    onsets: 0,
    onsetsOnGrid: 0,
  }));
  private readonly tdSum = TONAL_DISTANCE_PAIRS.map(() => 0);
  private readonly tdBeats = TONAL_DISTANCE_PAIRS.map(() => 0);
  private readonly matrix = tonalMatrix();

  constructor(private readonly options: LoopMetricsOptions = {}) {}

  add(roll: MultitrackRoll): void {
    assertRollShape(roll);
    const { bars, stepsPerBar, pitchCount, lowestPitch, beatsPerBar, data } = roll;
    if (stepsPerBar % beatsPerBar !== 0) throw new StudioError('BAD_INPUT', `${stepsPerBar} steps per bar do not split into ${beatsPerBar} beats`);
    const totalSteps = bars * stepsPerBar;
    const stepsPerBeat = stepsPerBar / beatsPerBar;
    const minSteps = this.options.qualifiedNoteMinSteps ?? Math.max(1, Math.round((3 * stepsPerBar) / 48));
    // A 16th-note grid; when the grid is not a whole number of steps no onset is counted on it.
    const gridSteps = stepsPerBar / 16;
    const pitchClass = Array.from({ length: pitchCount }, (_, p) => (lowestPitch + p) % 12);
    // One pass over the cells in storage order: [step][pitch][track].
    const runLength = new Int32Array(pitchCount * TRACK_COUNT);
    const barClasses = new Int32Array(TRACK_COUNT); // bit mask of pitch classes used in the current bar
    const beatChroma = TRACK_FAMILIES.map(() => new Float64Array(12));
    this.loops++;

    const closeNote = (t: number, length: number) => {
      const c = this.counts[t]!;
      c.notes++;
      if (length >= minSteps) c.qualifiedNotes++;
    };
    for (let s = 0; s < totalSteps; s++) {
      const stepInBar = s % stepsPerBar;
      const onGrid = Number.isInteger(gridSteps) && stepInBar % gridSteps === 0;
      let i = s * pitchCount * TRACK_COUNT;
      for (let p = 0; p < pitchCount; p++) {
        for (let t = 0; t < TRACK_COUNT; t++, i++) {
          const r = p * TRACK_COUNT + t;
          if (data[i]) {
            if (runLength[r] === 0) {
              this.counts[t]!.onsets++;
              if (onGrid) this.counts[t]!.onsetsOnGrid++;
            }
            runLength[r]!++;
            barClasses[t]! |= 1 << pitchClass[p]!;
            beatChroma[t]![pitchClass[p]!]! += 1;
          } else if (runLength[r]! > 0) {
            closeNote(t, runLength[r]!);
            runLength[r] = 0;
          }
        }
      }
      if ((s + 1) % stepsPerBeat === 0) {
        this.addBeat(beatChroma);
        for (const ch of beatChroma) ch.fill(0);
      }
      if ((s + 1) % stepsPerBar === 0) {
        for (let t = 0; t < TRACK_COUNT; t++) {
          const c = this.counts[t]!;
          c.bars++;
          const used = bitCount(barClasses[t]!);
          if (used === 0) c.emptyBars++;
          else c.pitchClassesInNonEmptyBars += used;
        }
        barClasses.fill(0);
      }
    }
    // Notes still sounding at the loop's end.
    for (let r = 0; r < runLength.length; r++) if (runLength[r]! > 0) closeNote(r % TRACK_COUNT, runLength[r]!);
  }

  private addBeat(chroma: Float64Array[]): void {
    TONAL_DISTANCE_PAIRS.forEach(([a, b], i) => {
      const ca = chroma[TRACK_FAMILIES.indexOf(a)]!;
      const cb = chroma[TRACK_FAMILIES.indexOf(b)]!;
      if (sum(ca) > 0 && sum(cb) > 0) {
        this.tdSum[i]! += tonalDistance(ca, cb, this.matrix);
        this.tdBeats[i]!++;
      }
    });
  }

  result(): LoopMetrics {
    const ratio = (num: number, den: number, scale = 1) => (den > 0 ? (num / den) * scale : null);
    const tracks = {} as Record<TrackFamily, TrackMetrics>;
    TRACK_FAMILIES.forEach((family, t) => {
      const c = this.counts[t]!;
      const pitched = t !== DRUM_TRACK;
      tracks[family] = {
        emptyBarsPercent: ratio(c.emptyBars, c.bars, 100),
        usedPitchClassesPerBar: pitched ? ratio(c.pitchClassesInNonEmptyBars, c.bars - c.emptyBars) : null,
        qualifiedNotesPercent: pitched ? ratio(c.qualifiedNotes, c.notes, 100) : null,
        drumPatternPercent: pitched ? null : ratio(c.onsetsOnGrid, c.onsets, 100),
      };
    });
    const tonal: Record<string, number | null> = {};
    TONAL_DISTANCE_PAIRS.forEach(([a, b], i) => (tonal[`${a}-${b}`] = ratio(this.tdSum[i]!, this.tdBeats[i]!)));
    return { loops: this.loops, bars: this.counts[0]!.bars, tracks, tonalDistance: tonal };
  }
}

/** The metrics of a set of loops (a dataset or a model's samples). */
export function evaluateLoops(rolls: Iterable<MultitrackRoll>, options: LoopMetricsOptions = {}): LoopMetrics {
  const acc = new LoopMetricsAccumulator(options);
  for (const roll of rolls) acc.add(roll);
  return acc.result();
}
