// Small musical rolls and datasets for the loop-model tests: a pop groove in a chosen key, every family playing.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildLoopDataset } from '../../server/data/loops/build-loops.js';
import { rollToMidi } from '../../server/music/midi-out.js';
import { addNote, emptyRoll, type MultitrackRoll } from '../../server/music/roll.js';
import { tf } from '../../server/ml/tf.js';

const STEPS_PER_BEAT = 12;

/** 4 bars of 4/4 at 48 steps a bar: drums, bass roots, piano triads, guitar eighths, string pads; I-V-vi-IV in `tonic`. */
export function grooveRoll(tonic: number, options: { bars?: number; tempoBpm?: number } = {}): MultitrackRoll {
  const bars = options.bars ?? 4;
  const roll = emptyRoll({ bars, tempoBpm: options.tempoBpm ?? 120 });
  const progression = [0, 7, 9, 5];
  for (let bar = 0; bar < bars; bar++) {
    const root = tonic + progression[bar % 4]!;
    const minor = progression[bar % 4] === 9;
    const triad = [0, minor ? 3 : 4, 7].map((i) => 60 + ((root + i) % 12));
    const at = (beat: number) => bar * 48 + beat * STEPS_PER_BEAT;
    for (let beat = 0; beat < 4; beat++) {
      addNote(roll, { track: 'drums', midiPitch: beat % 2 === 0 ? 36 : 38, startStep: at(beat) });
      addNote(roll, { track: 'drums', midiPitch: 42, startStep: at(beat) });
      addNote(roll, { track: 'drums', midiPitch: 42, startStep: at(beat) + 6 });
      addNote(roll, { track: 'bass', midiPitch: 36 + (root % 12), startStep: at(beat), endStep: at(beat) + 9 });
      for (const half of [0, 6]) addNote(roll, { track: 'guitar', midiPitch: triad[(beat * 2 + half / 6) % 3]! - 12, startStep: at(beat) + half, endStep: at(beat) + half + 5 });
    }
    for (const beat of [0, 2]) for (const p of triad) addNote(roll, { track: 'piano', midiPitch: p, startStep: at(beat), endStep: at(beat) + 22 });
    addNote(roll, { track: 'strings', midiPitch: 72 + (root % 12), startStep: at(0), endStep: at(4) });
  }
  return roll;
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A loop dataset folder (made by the real builder from MIDI files) with one phrase per key in `tonics`. */
export async function grooveDataset(dir: string, tonics: number[]): Promise<string> {
  const from = path.join(dir, 'midi');
  await fs.mkdir(from, { recursive: true });
  for (const tonic of tonics) await fs.writeFile(path.join(from, `groove-${tonic}.mid`), rollToMidi(grooveRoll(tonic)));
  const out = path.join(dir, 'dataset');
  await buildLoopDataset({ sources: [{ name: 'grooves', dir: from }], out });
  return out;
}

/** Runs `fn` and checks it leaves no tensor behind. */
export async function withoutLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`tensor leak: ${after - before} tensors more than before`);
  return result;
}
