/** Share of notes whose estimated f0 lies within +-50 cents of the pitch they were meant to have. */
import { estimateF0, midiToHz, centsBetween } from '../../audio/f0.js';

export const PITCH_TOLERANCE_CENTS = 50;

export interface PitchCheck {
  midiPitch: number;
  /** Estimated f0, Hz; null when no pitch was found (counts as wrong). */
  hz: number | null;
  /** Signed error in cents from the requested pitch; null without an estimate. */
  cents: number | null;
  correct: boolean;
}

export function checkPitch(audio: Float32Array, sampleRate: number, midiPitch: number): PitchCheck {
  const estimate = estimateF0(audio, sampleRate);
  if (!estimate) return { midiPitch, hz: null, cents: null, correct: false };
  const cents = centsBetween(estimate.hz, midiToHz(midiPitch));
  return { midiPitch, hz: estimate.hz, cents, correct: Math.abs(cents) <= PITCH_TOLERANCE_CENTS };
}

export function pitchAccuracy(checks: PitchCheck[]): number {
  return checks.length ? checks.filter((c) => c.correct).length / checks.length : NaN;
}
