/**
 * A multitrack binary piano roll, the data the loop GAN learns from and produces.
 *
 * Layout is CHANNELS-LAST, the order a [bars, stepsPerBar, pitchCount, tracks] tensor has:
 *   data[((bar * stepsPerBar + step) * pitchCount + pitchIndex) * TRACK_COUNT + track]
 * with track in TRACK_FAMILIES order, pitchIndex = midiPitch - lowestPitch, values 0 or 1.
 * A run of 1s on one pitch is one held note; two notes that touch are indistinguishable from one long note
 * (the same ambiguity as MuseGAN's rolls).
 */
import { StudioError } from '../util/errors.js';
import { TRACK_COUNT, TRACK_FAMILIES, type TrackFamily } from './families.js';

export interface RollShape {
  bars: number;
  /** Time steps per bar: 48 for a 4/4 bar at 12 steps per quarter note (MuseGAN). */
  stepsPerBar: number;
  /** MIDI pitch of pitch index 0 (24 = C1). */
  lowestPitch: number;
  /** Number of pitches (84 covers MIDI 24-107). */
  pitchCount: number;
}

export interface MultitrackRoll extends RollShape {
  tempoBpm: number;
  /** Quarter-note beats per bar (4 for 4/4). */
  beatsPerBar: number;
  /** 0/1 cells, channels-last: [bar][step][pitch][track]. */
  data: Uint8Array;
  /**
   * Optional MIDI velocities (1-127) in the same layout as `data`; a note's velocity is the one at its first
   * step. 0 where there is no note or where the default should be used.
   */
  velocities?: Uint8Array;
}

export interface RollOptions extends RollShape {
  tempoBpm: number;
  beatsPerBar: number;
}

export const defaultRollOptions: RollOptions = {
  bars: 4,
  stepsPerBar: 48,
  lowestPitch: 24,
  pitchCount: 84,
  tempoBpm: 120,
  beatsPerBar: 4,
};

/** Cells in a roll of this shape: bars x stepsPerBar x pitchCount x TRACK_COUNT. */
export function rollCellCount(shape: RollShape): number {
  return shape.bars * shape.stepsPerBar * shape.pitchCount * TRACK_COUNT;
}

/** Total time steps of the roll (bars x stepsPerBar). */
export function rollSteps(shape: RollShape): number {
  return shape.bars * shape.stepsPerBar;
}

export function emptyRoll(options: Partial<RollOptions> = {}): MultitrackRoll {
  const o = { ...defaultRollOptions, ...options };
  for (const key of ['bars', 'stepsPerBar', 'pitchCount', 'beatsPerBar'] as const) {
    if (!Number.isInteger(o[key]) || o[key] <= 0) throw new StudioError('BAD_INPUT', `roll ${key} must be a positive integer, got ${o[key]}`);
  }
  if (!Number.isInteger(o.lowestPitch) || o.lowestPitch < 0 || o.lowestPitch + o.pitchCount > 128) {
    throw new StudioError('BAD_INPUT', `roll pitch range ${o.lowestPitch}..${o.lowestPitch + o.pitchCount - 1} is outside MIDI 0..127`);
  }
  if (!(o.tempoBpm > 0) || !Number.isFinite(o.tempoBpm)) throw new StudioError('BAD_INPUT', `roll tempoBpm must be positive, got ${o.tempoBpm}`);
  return { ...o, data: new Uint8Array(rollCellCount(o)) };
}

/** Index into `data` of a cell; `step` may run past stepsPerBar (absolute step = bar * stepsPerBar + step). */
export function rollIndex(shape: RollShape, bar: number, step: number, pitchIndex: number, track: number): number {
  return ((bar * shape.stepsPerBar + step) * shape.pitchCount + pitchIndex) * TRACK_COUNT + track;
}

function trackNumber(track: TrackFamily | number): number {
  const index = typeof track === 'number' ? track : TRACK_FAMILIES.indexOf(track);
  if (!Number.isInteger(index) || index < 0 || index >= TRACK_COUNT) throw new StudioError('BAD_INPUT', `no track ${String(track)}`);
  return index;
}

/** One track as a [step][pitch] array (step = absolute step over all bars). */
export function getTrack(roll: MultitrackRoll, track: TrackFamily | number): Uint8Array {
  const t = trackNumber(track);
  const cells = rollSteps(roll) * roll.pitchCount;
  const out = new Uint8Array(cells);
  for (let i = 0; i < cells; i++) out[i] = roll.data[i * TRACK_COUNT + t]!;
  return out;
}

/** Replaces one track with a [step][pitch] array (any non-zero value becomes 1). */
export function setTrack(roll: MultitrackRoll, track: TrackFamily | number, values: Uint8Array): void {
  const t = trackNumber(track);
  const cells = rollSteps(roll) * roll.pitchCount;
  if (values.length !== cells) throw new StudioError('BAD_INPUT', `track has ${values.length} cells, the roll needs ${cells}`);
  for (let i = 0; i < cells; i++) roll.data[i * TRACK_COUNT + t] = values[i] ? 1 : 0;
}

export function trackIsEmpty(roll: MultitrackRoll, track: TrackFamily | number): boolean {
  const t = trackNumber(track);
  for (let i = t; i < roll.data.length; i += TRACK_COUNT) if (roll.data[i]) return false;
  return true;
}

/** The families with at least one note, in TRACK_FAMILIES order. */
export function familiesPresent(roll: MultitrackRoll): TrackFamily[] {
  return TRACK_FAMILIES.filter((family) => !trackIsEmpty(roll, family));
}

export interface NoteSpan {
  track: TrackFamily | number;
  midiPitch: number;
  /** Absolute start step (bar * stepsPerBar + step). */
  startStep: number;
  /** Exclusive end step; defaults to startStep + 1. */
  endStep?: number;
  velocity?: number;
}

/** Sets the cells of one note (clipped to the roll); handy for hand-built rolls and converters. */
export function addNote(roll: MultitrackRoll, note: NoteSpan): void {
  const t = trackNumber(note.track);
  const p = note.midiPitch - roll.lowestPitch;
  if (p < 0 || p >= roll.pitchCount) return;
  const total = rollSteps(roll);
  const end = Math.min(note.endStep ?? note.startStep + 1, total);
  for (let s = Math.max(0, note.startStep); s < end; s++) {
    const i = rollIndex(roll, 0, s, p, t);
    roll.data[i] = 1;
    if (note.velocity !== undefined) {
      roll.velocities ??= new Uint8Array(roll.data.length);
      roll.velocities[i] = Math.max(1, Math.min(127, Math.round(note.velocity)));
    }
  }
}

/** Checks that a roll's data (and velocities) match its shape; throws a StudioError naming `what` otherwise. */
export function assertRollShape(roll: MultitrackRoll, what = 'roll'): void {
  const expected = rollCellCount(roll);
  if (roll.data.length !== expected) {
    throw new StudioError('BAD_INPUT', `${what}: data has ${roll.data.length} cells, shape ${roll.bars}x${roll.stepsPerBar}x${roll.pitchCount}x${TRACK_COUNT} needs ${expected}`);
  }
  if (roll.velocities && roll.velocities.length !== expected) {
    throw new StudioError('BAD_INPUT', `${what}: velocities have ${roll.velocities.length} cells, expected ${expected}`);
  }
}
