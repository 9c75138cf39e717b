/**
 * `studio generate note` and `studio generate instrument`: thin wrappers over NoteModel and the SFZ export.
 * Every option is checked before anything is generated or written, so a bad call writes no file.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { initBackend } from '../ml/backend.js';
import { NoteModel } from '../gansynth/note-model.js';
import { interpolateLatents, latentForSeed, readLatentFile } from '../gansynth/latent.js';
import { withTimbreClass } from '../gansynth/timbre-classes.js';
import { checkPitches, type NoteModelSpec } from '../gansynth/spec.js';
import { velocityGain } from '../gansynth/note-shape.js';
import { buildInstrumentFiles, writeInstrumentFolder } from '../exports/instrument.js';
import { writeWav, type WavBitDepth } from '../audio/wav.js';
import { resample } from '../audio/resample.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ProgressBar } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import { commandGroup } from './groups.js';

// ---- option parsing shared by the note commands ----

export function parseIntegerOption(name: string, raw: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new StudioError('BAD_INPUT', `${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new StudioError('BAD_INPUT', `${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function parseNumberOption(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= min || value > max) {
    throw new StudioError('BAD_INPUT', `${name} must be a number above ${min} and at most ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A loss weight: 0 (off) or a number above 0 up to 1000. */
export function parseWeightOption(name: string, raw: string): number {
  if (raw.trim() !== '' && Number(raw) === 0) return 0;
  return parseNumberOption(name, raw, 0, 1000);
}

/** "24-84" or "60" -> [from, to]. */
export function parseRangeOption(name: string, raw: string, min: number, max: number): [number, number] {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(raw);
  if (!match) throw new StudioError('BAD_INPUT', `${name} must look like 24-84, got ${JSON.stringify(raw)}`);
  const from = parseIntegerOption(name, match[1]!, min, max);
  const to = match[2] === undefined ? from : parseIntegerOption(name, match[2], min, max);
  if (from > to) throw new StudioError('BAD_INPUT', `${name}: ${from} is above ${to}`);
  return [from, to];
}

export function parseListOption(name: string, raw: string, min: number, max: number): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new StudioError('BAD_INPUT', `${name} needs at least one value`);
  return parts.map((p) => parseIntegerOption(name, p, min, max));
}

const MIDI = { min: 0, max: 127 };
const MAX_SEED = Number.MAX_SAFE_INTEGER;

interface AudioOutputFlags {
  rate: string;
  bitDepth: string;
}

function parseAudioOutput(flags: AudioOutputFlags): { sampleRate: number; bitDepth: WavBitDepth } {
  const sampleRate = parseIntegerOption('--rate', flags.rate, 8000, 192000);
  const bitDepth = parseIntegerOption('--bit-depth', flags.bitDepth, 16, 32);
  if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) throw new StudioError('BAD_INPUT', `--bit-depth must be 16, 24 or 32, got ${bitDepth}`);
  return { sampleRate, bitDepth };
}

function requireWavPath(out: string | undefined): string {
  if (!out) throw new StudioError('BAD_INPUT', 'say where to write: --out FILE.wav');
  if (path.extname(out).toLowerCase() !== '.wav') throw new StudioError('BAD_INPUT', `--out must name a .wav file, got ${out}`);
  return path.resolve(out);
}

/** Loads the model after the backend is up; a bad --model fails here with the registry's clear message. */
async function openModel(modelArg: string | undefined): Promise<NoteModel> {
  if (!modelArg) throw new StudioError('BAD_INPUT', 'say which model: --model DIR or --model ID (a folder under models/)');
  await initBackend();
  return NoteModel.load(modelArg);
}

// ---- studio generate note ----

interface GenerateNoteFlags extends AudioOutputFlags {
  model?: string;
  pitch?: string;
  velocity: string;
  seed?: string;
  latent?: string;
  saveLatent?: string;
  duration?: string;
  interpolate?: string;
  steps?: string;
  instrument?: string;
  out?: string;
}

async function generateNoteCommand(flags: GenerateNoteFlags): Promise<void> {
  const out = requireWavPath(flags.out);
  if (flags.pitch === undefined) throw new StudioError('BAD_INPUT', 'say which pitch: --pitch MIDI (e.g. 60 for middle C)');
  const pitch = parseIntegerOption('--pitch', flags.pitch, MIDI.min, MIDI.max);
  const velocity = parseIntegerOption('--velocity', flags.velocity, 1, 127);
  const seconds = flags.duration === undefined ? undefined : parseNumberOption('--duration', flags.duration, 0, 60);
  const audioOut = parseAudioOutput(flags);
  const timbreSources = [flags.seed, flags.latent, flags.interpolate].filter((v) => v !== undefined).length;
  if (timbreSources > 1) throw new StudioError('BAD_INPUT', 'use one of --seed, --latent and --interpolate');
  if (flags.steps !== undefined && flags.interpolate === undefined) throw new StudioError('BAD_INPUT', '--steps goes with --interpolate SEED_A,SEED_B');
  const seed = flags.seed === undefined ? 0 : parseIntegerOption('--seed', flags.seed, 0, MAX_SEED);
  let walk: { from: number; to: number; steps: number } | null = null;
  if (flags.interpolate !== undefined) {
    const seeds = parseListOption('--interpolate', flags.interpolate, 0, MAX_SEED);
    if (seeds.length !== 2) throw new StudioError('BAD_INPUT', `--interpolate takes two seeds, SEED_A,SEED_B; got ${seeds.length}`);
    walk = { from: seeds[0]!, to: seeds[1]!, steps: flags.steps === undefined ? 5 : parseIntegerOption('--steps', flags.steps, 2, 256) };
  }

  const model = await openModel(flags.model);
  try {
    checkPitches(model.spec, [pitch]);
    const size = model.spec.latentSize;
    const walked = walk
      ? interpolateLatents(latentForSeed(walk.from, size), latentForSeed(walk.to, size), walk.steps)
      : [flags.latent ? await readLatentFile(flags.latent, size) : latentForSeed(seed, size)];
    const latents = walked.map((latent) => inInstrument(model.spec, latent, flags.instrument));
    const notes = model.generate({ pitches: latents.map(() => pitch), latents, velocity, seconds });
    const files = notes.length === 1 ? [out] : notes.map((_, i) => numbered(out, i + 1, notes.length));
    for (let i = 0; i < notes.length; i++) {
      const audio = audioOut.sampleRate === model.sampleRate ? notes[i]! : resample(notes[i]!, model.sampleRate, audioOut.sampleRate);
      await writeWav(files[i]!, audio, audioOut);
      console.log(files[i]);
    }
    if (flags.saveLatent) {
      await writeFileAtomic(path.resolve(flags.saveLatent), JSON.stringify(Array.from(latents[0]!)) + '\n');
    }
  } finally {
    model.dispose();
  }
}

/** The latent moved into `instrument`'s timbre class (timbre-classes.ts), or as it is when none is named. */
function inInstrument(spec: NoteModelSpec, latent: Float32Array, instrument: string | undefined): Float32Array {
  return instrument === undefined ? latent : withTimbreClass(spec, latent, instrument);
}

/** note.wav -> note-03.wav (zero-padded to the count's width). */
function numbered(file: string, index: number, count: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, -ext.length)}-${String(index).padStart(String(count).length, '0')}${ext}`;
}

// ---- studio generate instrument ----

interface GenerateInstrumentFlags extends AudioOutputFlags {
  model?: string;
  seed?: string;
  latent?: string;
  instrument?: string;
  pitches: string;
  every: string;
  velocities: string;
  duration?: string;
  release: string;
  name?: string;
  out?: string;
  force?: boolean;
  quiet?: boolean;
}

async function generateInstrumentCommand(flags: GenerateInstrumentFlags): Promise<void> {
  if (!flags.out) throw new StudioError('BAD_INPUT', 'say where to write the instrument: --out DIR');
  const out = path.resolve(flags.out);
  if (flags.seed !== undefined && flags.latent !== undefined) throw new StudioError('BAD_INPUT', 'use one of --seed and --latent');
  const seed = flags.seed === undefined ? 0 : parseIntegerOption('--seed', flags.seed, 0, MAX_SEED);
  const [low, high] = parseRangeOption('--pitches', flags.pitches, MIDI.min, MIDI.max);
  const every = parseIntegerOption('--every', flags.every, 1, 24);
  const velocities = [...new Set(parseListOption('--velocities', flags.velocities, 1, 127))].sort((a, b) => a - b);
  const seconds = flags.duration === undefined ? undefined : parseNumberOption('--duration', flags.duration, 0, 60);
  const releaseSeconds = parseNumberOption('--release', flags.release, 0, 10);
  const audioOut = parseAudioOutput(flags);
  const name = flags.name ?? path.basename(out);

  const model = await openModel(flags.model);
  const bar = new ProgressBar({ quiet: flags.quiet });
  try {
    const pitches: number[] = [];
    for (let p = low; p <= high; p += every) pitches.push(p);
    if (pitches[pitches.length - 1] !== high) pitches.push(high);
    checkPitches(model.spec, pitches);
    const latent = inInstrument(model.spec, flags.latent ? await readLatentFile(flags.latent, model.spec.latentSize) : latentForSeed(seed, model.spec.latentSize), flags.instrument);
    bar.update({ done: 0, total: 3, phase: 'generating' });
    // Velocity only sets the level, so one batch at full velocity serves every layer.
    const full = model.generate({ pitches, latents: latent, velocity: 127, seconds });
    bar.update({ done: 1, total: 3, phase: 'encoding' });
    const notes = velocities.flatMap((velocity) => {
      const scale = velocityGain(velocity) / velocityGain(127);
      return pitches.map((midiPitch, i) => ({ midiPitch, velocity, audio: full[i]!.map((v) => v * scale) }));
    });
    const comment = [
      `${name}: a sampler instrument from studio note model ${model.dir}`,
      (flags.latent ? `timbre: latent from ${flags.latent}` : `timbre: seed ${seed}`) + (flags.instrument ? `, instrument ${flags.instrument}` : ''),
      `pitches ${low}-${high}${every > 1 ? ` every ${every}` : ''}, velocity layers ${velocities.join(',')}`,
    ].join('\n');
    const files = buildInstrumentFiles(notes, {
      name,
      sampleRate: model.sampleRate,
      outputSampleRate: audioOut.sampleRate,
      bitDepth: audioOut.bitDepth,
      releaseSeconds,
      comment,
      extendKeyRange: false,
    });
    bar.update({ done: 2, total: 3, phase: 'writing' });
    await writeInstrumentFolder(out, files, flags.force ?? false);
    bar.update({ done: 3, total: 3, phase: 'done' });
    bar.stop();
    console.log(JSON.stringify({ dir: out, sfz: path.join(out, `${name}.sfz`), zip: path.join(out, `${name}.zip`), samples: notes.length }, null, 2));
  } finally {
    bar.stop();
    model.dispose();
  }
}

export function registerGenerateNote(program: Command): void {
  const generate = commandGroup(program, 'generate');
  generate
    .command('note')
    .description('generate one note (or a timbre walk) from a note model as a WAV; the same seed gives the same bytes')
    .option('--model <dir|id>', 'model folder, or a model id under models/ (e.g. notes-default)')
    .option('--pitch <midi>', 'MIDI pitch within the model range (24-84)')
    .option('--velocity <1-127>', 'MIDI velocity: sets the level', '100')
    .option('--seed <n>', 'timbre seed (default 0)')
    .option('--latent <file>', 'timbre latent: a JSON array of numbers or raw float32 (.f32)')
    .option('--save-latent <file>', 'also write the latent used, as JSON (for --latent later)')
    .option('--interpolate <a,b>', 'walk between the timbres of two seeds (spherical interpolation)')
    .option('--steps <k>', 'notes in the --interpolate walk, ends included (default 5); files are OUT-1.wav ... OUT-K.wav')
    .option('--instrument <name>', "one of the model's timbre classes (spec.json; a wrong name lists them): the seed's timbre within that instrument")
    .option('--duration <seconds>', "note length: shorter cuts with a fade, longer pads with silence (default: the model's)")
    .option('--rate <hz>', 'sample rate of the WAV', '48000')
    .option('--bit-depth <16|24|32>', 'WAV sample format (32 = float)', '24')
    .option('--out <file.wav>', 'where to write the WAV')
    .action(generateNoteCommand);
  generate
    .command('instrument')
    .description('render every pitch of one timbre into a sampler instrument: WAVs + .sfz + a zip of both')
    .option('--model <dir|id>', 'model folder, or a model id under models/')
    .option('--seed <n>', 'timbre seed, the same for every pitch (default 0)')
    .option('--latent <file>', 'timbre latent file instead of a seed')
    .option('--instrument <name>', "one of the model's timbre classes: the seed's timbre within that instrument")
    .option('--pitches <from-to>', 'MIDI pitch range to render', '24-84')
    .option('--every <n>', 'render every n-th pitch; the sampler repitches the keys between', '1')
    .option('--velocities <list>', 'velocity layers, e.g. 50,100,127 (one layer: the sampler scales level by velocity)', '127')
    .option('--duration <seconds>', "sample length (default: the model's note length)")
    .option('--release <seconds>', 'release fade after note-off in the .sfz', '0.3')
    .option('--name <name>', 'file name of the .sfz and .zip (default: the --out folder name)')
    .option('--rate <hz>', 'sample rate of the WAVs', '48000')
    .option('--bit-depth <16|24|32>', 'WAV sample format (32 = float)', '24')
    .option('--out <dir>', 'instrument folder to write')
    .option('--force', 'replace --out even if it holds other files')
    .option('--quiet', 'no progress bar')
    .action(generateInstrumentCommand);
}
