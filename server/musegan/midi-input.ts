/**
 * A user's MIDI file as the roll a loop model is given (a part to accompany, or tracks to keep): the first
 * usable 4/4 stretch of the file, on the model's grid. Tracks map to families by the LPD-5 rule (server/music).
 */
import { promises as fs } from 'node:fs';
import { midiToPhrases } from '../music/midi-in.js';
import type { MultitrackRoll } from '../music/roll.js';
import type { TrackFamily } from '../music/families.js';
import { trackIsEmpty } from '../music/roll.js';
import { StudioError, describeThrown } from '../util/errors.js';
import type { LoopSpec } from './spec.js';

export interface MidiInputOptions {
  /** Bars wanted; a file with fewer whole 4/4 bars gives one phrase of the model's length (then repeated). */
  bars: number;
  /** Tracks that must have notes in the stretch read. */
  requireTracks: readonly TrackFamily[];
}

export async function readMidiForLoop(file: string, spec: LoopSpec, options: MidiInputOptions): Promise<MultitrackRoll> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new StudioError('NOT_FOUND', `cannot read ${file}: ${describeThrown(err)}`);
  }
  const grid = { stepsPerBar: spec.stepsPerBar, lowestPitch: spec.lowestPitch, pitchCount: spec.pitchCount, beatsPerBar: spec.beatsPerBar, minTracks: 1 };
  for (const bars of [...new Set([options.bars, spec.bars])]) {
    const { phrases } = midiToPhrases(bytes, file, { ...grid, bars });
    const phrase = phrases.find((p) => options.requireTracks.every((t) => !trackIsEmpty(p, t)));
    if (phrase) return phrase;
  }
  const needed = options.requireTracks.length ? ` with notes on ${options.requireTracks.join(', ')}` : '';
  throw new StudioError('BAD_INPUT', `${file}: no stretch of ${spec.bars} whole 4/4 bars${needed} (tracks map to families by General MIDI program; drums on channel 10)`);
}
