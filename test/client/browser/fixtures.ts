/**
 * Small real models for the browser tests, made with the studio's own commands and kept under
 * test-artifacts/fixtures/ (git-ignored) so later runs reuse them: a 2-program note dataset and a `tiny` note model
 * trained on it for a few steps. Delete the folder to make them again.
 */
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { runStudio } from '../../helpers/cli.js';
import { ARTIFACTS_DIR } from './chromium.js';

export const FIXTURES_DIR = path.join(ARTIFACTS_DIR, 'fixtures');
export const AUDIO_DATA_DIR = path.join(FIXTURES_DIR, 'audio-data');
export const MODELS_DIR = path.join(FIXTURES_DIR, 'models');
export const NOTES_DATASET = 'notes-small';
export const NOTES_MODEL = 'notes-tiny';

async function studio(args: string[], what: string): Promise<void> {
  const result = await runStudio(args, { timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stderr.slice(-2000)}`);
}

/** The small note dataset (74 notes: piano and guitar, C2-C5, velocity 100). */
export async function noteDataset(): Promise<string> {
  const dir = path.join(AUDIO_DATA_DIR, NOTES_DATASET);
  if (existsSync(path.join(dir, 'dataset.json'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  await studio(['data', 'notes', '--out', dir, '--programs', '0,24', '--pitches', '36-72', '--velocities', '100', '--quiet'], 'building the test note dataset');
  return dir;
}

/** A tiny note model trained for 4 steps: it sounds like noise, but it is a real model through the real path. */
export async function tinyNoteModel(): Promise<string> {
  const dir = path.join(MODELS_DIR, NOTES_MODEL);
  if (existsSync(path.join(dir, 'metadata.json'))) return dir;
  const data = await noteDataset();
  await studio(['train', 'notes', '--preset', 'tiny', '--data', data, '--out', dir, '--steps', '4', '--checkpoint-every', '2', '--force', '--quiet'], 'training the tiny test note model');
  return dir;
}

export const MIDI_DATA_DIR = path.join(FIXTURES_DIR, 'midi-data');
export const LOOPS_DATASET = 'loops-small';
export const LOOPS_MODEL = 'loops-tiny';

/** Whether this checkout's CLI can train loop models yet (`studio train loops`). */
export async function canTrainLoops(): Promise<boolean> {
  const result = await runStudio(['train', 'loops', '--help'], { timeoutMs: 60_000 });
  return result.code === 0 && /loop/i.test(result.stdout);
}

/**
 * A small loop dataset cut from 16 hand-written 4-bar MIDI loops (drums, bass, piano; different grooves and
 * keys), through `studio data loops` like any MIDI folder.
 */
export async function loopDataset(): Promise<string> {
  const dir = path.join(MIDI_DATA_DIR, LOOPS_DATASET);
  if (existsSync(path.join(dir, 'dataset.json'))) return dir;
  const { addNote, emptyRoll } = await import('../../../server/music/roll.js');
  const { rollToMidi } = await import('../../../server/music/midi-out.js');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const source = path.join(FIXTURES_DIR, 'midi-source');
  mkdirSync(source, { recursive: true });
  for (let song = 0; song < 16; song++) {
    const roll = emptyRoll({ bars: 8, stepsPerBar: 48, tempoBpm: 90 + song * 4 });
    const root = 36 + (song % 7);
    for (let beat = 0; beat < 32; beat++) {
      addNote(roll, { track: 'drums', midiPitch: beat % 2 === 0 ? 36 : 38, startStep: beat * 12 });
      addNote(roll, { track: 'drums', midiPitch: 42, startStep: beat * 12 + 6 * (song % 2) });
    }
    for (let half = 0; half < 16; half++) addNote(roll, { track: 'bass', midiPitch: root + [0, 7, 5, 3][half % 4]!, startStep: half * 24, endStep: half * 24 + 18 });
    for (let bar = 0; bar < 8; bar++) for (const third of [0, 4, 7]) addNote(roll, { track: 'piano', midiPitch: root + 24 + third + (bar % 2) * 5, startStep: bar * 48, endStep: bar * 48 + 36 });
    writeFileSync(path.join(source, `song-${String(song).padStart(2, '0')}.mid`), rollToMidi(roll));
  }
  await studio(['data', 'loops', '--from', source, '--out', dir, '--quiet'], 'building the test loop dataset');
  return dir;
}

/** A tiny loop model trained for a few steps on loopDataset(). */
export async function tinyLoopModel(): Promise<string> {
  const dir = path.join(MODELS_DIR, LOOPS_MODEL);
  if (existsSync(path.join(dir, 'metadata.json'))) return dir;
  const data = await loopDataset();
  // Without the activity gate: after 4 steps its gates are random, and the panel's tests need every track sounding.
  await studio(['train', 'loops', '--preset', 'tiny', '--no-activity-gate', '--data', data, '--out', dir, '--steps', '4', '--force', '--quiet'], 'training the tiny test loop model');
  return dir;
}
