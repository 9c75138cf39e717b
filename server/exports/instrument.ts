/**
 * A sampler instrument a DAW loads directly: one WAV per rendered (pitch, velocity), an .sfz mapping them, and a
 * zip of both. Built in memory (the server streams the same bytes), written as one atomic folder by the CLI.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { zipSync } from 'fflate';
import { encodeWav, type WavBitDepth } from '../audio/wav.js';
import { resample } from '../audio/resample.js';
import { writeDirAtomic } from '../util/atomic.js';
import { StudioError } from '../util/errors.js';
import { buildSfz, type SfzOptions } from './sfz.js';

export interface InstrumentNote {
  midiPitch: number;
  velocity: number;
  /** Mono audio at `sampleRate`. */
  audio: Float32Array;
}

export interface InstrumentOptions extends SfzOptions {
  /** File-name stem of the .sfz and .zip (letters, digits, . _ -). */
  name: string;
  /** Rate of the notes given. */
  sampleRate: number;
  /** Rate and depth of the WAVs written (DAWs prefer 48 kHz / 24-bit). */
  outputSampleRate?: number;
  bitDepth?: WavBitDepth;
}

export const instrumentDefaults = { outputSampleRate: 48000, bitDepth: 24 as WavBitDepth };

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SAMPLES_DIR = 'samples';

/** The instrument's files by relative path: `<name>.sfz`, `samples/*.wav`, and `<name>.zip` holding both. */
export function buildInstrumentFiles(notes: InstrumentNote[], options: InstrumentOptions): Record<string, Uint8Array> {
  if (!NAME_PATTERN.test(options.name)) {
    throw new StudioError('BAD_INPUT', `instrument name "${options.name}" must be 1-64 letters, digits, ".", "_" or "-"`);
  }
  if (notes.length === 0) throw new StudioError('BAD_INPUT', 'an instrument needs at least one note');
  const outputRate = options.outputSampleRate ?? instrumentDefaults.outputSampleRate;
  const bitDepth = options.bitDepth ?? instrumentDefaults.bitDepth;
  const files: Record<string, Uint8Array> = {};
  const regions = notes.map((note) => {
    const file = `${SAMPLES_DIR}/${sampleFileName(note.midiPitch, note.velocity)}`;
    const audio = outputRate === options.sampleRate ? note.audio : resample(note.audio, options.sampleRate, outputRate);
    files[file] = encodeWav(audio, { sampleRate: outputRate, bitDepth });
    return { midiPitch: note.midiPitch, velocity: note.velocity, file };
  });
  files[`${options.name}.sfz`] = new TextEncoder().encode(buildSfz(regions, options));
  // Stored (level 0) WAVs barely compress; the fixed mtime keeps the zip byte-identical run to run.
  const entries = Object.fromEntries(
    Object.entries(files).map(([rel, bytes]) => [rel, [bytes, { level: rel.endsWith('.sfz') ? 6 : 0, mtime: new Date(2000, 0, 1) }] as const]),
  );
  files[`${options.name}.zip`] = zipSync(entries as Parameters<typeof zipSync>[0]);
  return files;
}

/** e.g. p060_v100.wav: sorted by pitch in a file browser, and self-describing. */
export function sampleFileName(midiPitch: number, velocity: number): string {
  return `p${String(midiPitch).padStart(3, '0')}_v${String(velocity).padStart(3, '0')}.wav`;
}

/**
 * Writes the files as the folder `dir`, atomically (built beside it, then swapped in). An existing folder is only
 * replaced when it is empty, holds an instrument written here before (an .sfz and samples/ and nothing else), or
 * `overwrite` is set, so a typo in --out cannot wipe unrelated work.
 */
export async function writeInstrumentFolder(dir: string, files: Record<string, Uint8Array>, overwrite = false): Promise<void> {
  if (existsSync(dir) && !overwrite) {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new StudioError('CONFLICT', `${dir} exists and is not a folder`);
    const entries = await fs.readdir(dir);
    const ours = entries.every((e) => e === SAMPLES_DIR || e.endsWith('.sfz') || e.endsWith('.zip'));
    if (!ours) throw new StudioError('CONFLICT', `${dir} already holds other files; choose another --out or pass --force`);
  }
  await writeDirAtomic(dir, async (tmp) => {
    await fs.mkdir(path.join(tmp, SAMPLES_DIR), { recursive: true });
    for (const [rel, bytes] of Object.entries(files)) await fs.writeFile(path.join(tmp, rel), bytes);
  });
}
