/**
 * Groove-aware default note velocities for rolls that carry none (a GAN outputs only on/off cells): accents on
 * the downbeat and the beats, softer off-beats, so exported loops do not sound like a machine at one level.
 */
import type { TrackFamily } from './families.js';

export interface GrooveVelocities {
  downbeat: number;
  beat: number;
  eighth: number;
  sixteenth: number;
  other: number;
}

export const grooveVelocities: Readonly<Record<'drums' | 'pitched', GrooveVelocities>> = {
  drums: { downbeat: 112, beat: 100, eighth: 84, sixteenth: 72, other: 64 },
  pitched: { downbeat: 100, beat: 92, eighth: 84, sixteenth: 78, other: 74 },
};

/** MIDI velocity (1-127) for a note of `family` starting at `stepInBar` of a bar of `stepsPerBar` steps. */
export function defaultVelocity(family: TrackFamily, stepInBar: number, stepsPerBar: number, beatsPerBar: number): number {
  const table = family === 'drums' ? grooveVelocities.drums : grooveVelocities.pitched;
  const stepsPerBeat = stepsPerBar / beatsPerBar;
  if (stepInBar === 0) return table.downbeat;
  if (stepInBar % stepsPerBeat === 0) return table.beat;
  if (stepInBar % (stepsPerBeat / 2) === 0) return table.eighth;
  if (stepInBar % (stepsPerBeat / 4) === 0) return table.sixteenth;
  return table.other;
}
