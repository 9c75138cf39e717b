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
  return midiBytesForLoop(bytes, file, spec, options);
}

/** The same from MIDI bytes (e.g. an upload); `name` names them in errors. */
export function midiBytesForLoop(bytes: Uint8Array, name: string, spec: LoopSpec, options: MidiInputOptions): MultitrackRoll {
  const grid = { stepsPerBar: spec.stepsPerBar, lowestPitch: spec.lowestPitch, pitchCount: spec.pitchCount, beatsPerBar: spec.beatsPerBar, minTracks: 1 };
  const skipped = new Set<string>();
  for (const bars of [...new Set([options.bars, spec.bars])]) {
    const result = midiToPhrases(bytes, name, { ...grid, bars });
    const phrase = result.phrases.find((p) => options.requireTracks.every((t) => !trackIsEmpty(p, t)));
    if (phrase) return phrase;
    for (const s of result.skipped) skipped.add(s.reason);
  }
  const needed = options.requireTracks.length ? ` with notes on ${options.requireTracks.join(', ')}` : '';
  const why = skipped.size ? ` (skipped: ${[...skipped].slice(0, 3).join('; ')})` : '';
  throw new StudioError('BAD_INPUT', `${name}: no stretch of ${spec.bars} whole 4/4 bars${needed}${why}; tracks map to families by General MIDI program, drums on channel 10`);
}
