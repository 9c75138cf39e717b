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
