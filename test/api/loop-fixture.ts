/**
 * A tiny loop model trained for two steps on a handful of hand-written grooves (real rolls, real trainer), and a
 * piano part as a MIDI file for track-conditional requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loopSpecFromPreset } from '../../server/musegan/spec.js';
import { loopTrainDefaults } from '../../server/musegan/train-config.js';
import { trainLoopModel } from '../../server/musegan/trainer.js';
import { packPhrases } from '../../server/musegan/phrase-data.js';
import { rollToMidi } from '../../server/music/midi-out.js';
import { addNote, emptyRoll, type MultitrackRoll } from '../../server/music/roll.js';

/** Four bars: kick and snare, a bass root per bar, and piano chords on the beat, transposed by `shift`. */
export function groove(shift: number): MultitrackRoll {
  const roll = emptyRoll({ bars: 4 });
  const roots = [48, 53, 55, 48].map((p) => p + shift);
  for (let bar = 0; bar < 4; bar++) {
    const at = bar * 48;
    for (let beat = 0; beat < 4; beat++) addNote(roll, { track: 'drums', midiPitch: beat % 2 ? 38 : 36, startStep: at + beat * 12, endStep: at + beat * 12 + 1 });
    addNote(roll, { track: 'bass', midiPitch: roots[bar]! - 12, startStep: at, endStep: at + 24 });
    for (const interval of [0, 4, 7]) addNote(roll, { track: 'piano', midiPitch: roots[bar]! + interval, startStep: at + 12, endStep: at + 24 });
  }
  return roll;
}

export async function trainTinyLoopModel(outDir: string): Promise<void> {
  const phrases = [0, 2, 4, 5, 7, 9, -3, -5].map((shift) => groove(shift).data);
  const spec = loopSpecFromPreset('tiny');
  await trainLoopModel({
    outDir,
    data: { packed: packPhrases(phrases), summary: { dir: 'test grooves', count: phrases.length, shape: { bars: 4, stepsPerBar: 48, pitchCount: 84, tracks: 5, lowestPitch: 24 }, sha256: 'test', sources: [] } },
    spec,
    config: { ...loopTrainDefaults('tiny'), steps: 2, checkpointEvery: 2 },
  });
}

/** A piano part only, as a Standard MIDI File. */
export function pianoPartMidi(): Uint8Array {
  const roll = groove(0);
  const piano = emptyRoll({ bars: 4 });
  for (let i = 2; i < roll.data.length; i += 5) piano.data[i] = roll.data[i]!;
  return rollToMidi(piano, { tempoBpm: 100 });
}

let shared: Promise<string> | null = null;

/** One tiny loop model per test process (training it takes a while on a busy machine), removed at exit. */
export function sharedTinyLoopModel(): Promise<string> {
  shared ??= (async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'studio-loops-'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    const dir = path.join(root, 'loops-tiny');
    await trainTinyLoopModel(dir);
    return dir;
  })();
  return shared;
}
