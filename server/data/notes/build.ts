// Builds an NSynth-like note dataset by rendering single notes from a General MIDI SoundFont.
// Output folder: manifest.jsonl, audio/<note_str>.wav, dataset.json (options and counts), and the font's licence
// files. The folder is built aside and swapped in whole; the same options give the same bytes.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../../util/errors.js';
import { writeDirAtomic } from '../../util/atomic.js';
import { projectRoot } from '../../util/version.js';
import type { ProgressCallback } from '../../util/progress.js';
import { encodeWav, type WavBitDepth } from '../../audio/wav.js';
import { DEFAULT_SOUND_FONT, loadSoundBank, resolveSoundFont } from './fonts.js';
import { NSYNTH_FAMILIES, NSYNTH_SOURCES, familyOfProgram, sourceOfProgram } from './families.js';
import { MANIFEST_FILE, manifestText, type NoteExample } from './manifest.js';
import { NoteRenderer } from './render.js';

/** GM programs in tune on all 61 keys 24-84 in MuseScore_General_Lite (shared/data/SOURCES.md). */
export const DEFAULT_NOTE_PROGRAMS: readonly number[] = [0, 4, 12, 19, 24, 25, 27, 32, 33, 38, 40, 42, 48, 56, 57, 60, 65, 71, 73, 81];

/**
 * How notes are levelled. The fonts render quietly and unevenly (peaks 0.03-0.5 at velocity 100), so by default
 * each program gets one gain that brings its loudest rendered note to `peak`: programs become comparable while
 * velocity and register differences within a program are kept. `note` normalises every note; `none` keeps the
 * synth's level.
 */
export type NoteLevelling = 'program' | 'note' | 'none';

export interface NoteDatasetOptions {
  /** Built-in font name or a .sf2/.sf3 path (default MuseScore_General_Lite). */
  font?: string;
  programs?: readonly number[];
  /** Inclusive MIDI pitch range (default 24-84, GANSynth's). */
  pitchMin?: number;
  pitchMax?: number;
  velocities?: readonly number[];
  /** Note length, hold + release (default 1, the `lite` spectral preset's length). */
  seconds?: number;
  /** Key held for this long (default 3/4 of the note). */
  holdSeconds?: number;
  sampleRate?: number;
  bitDepth?: WavBitDepth;
  level?: NoteLevelling;
  /** Target peak for levelling (default 0.9). */
  peak?: number;
  /** Output folder (default <project>/audio-data/notes-default). */
  out?: string;
}

export const noteDatasetDefaults = {
  font: DEFAULT_SOUND_FONT,
  programs: DEFAULT_NOTE_PROGRAMS,
  pitchMin: 24,
  pitchMax: 84,
  velocities: [50, 100, 127] as readonly number[],
  seconds: 1,
  sampleRate: 16000,
  bitDepth: 16 as WavBitDepth,
  level: 'program' as NoteLevelling,
  peak: 0.9,
};

export function defaultNoteDatasetDir(): string {
  return path.join(projectRoot(), 'audio-data', 'notes-default');
}

export interface SkippedNote {
  noteStr: string;
  reason: string;
}

export interface NoteDatasetSummary {
  dir: string;
  font: string;
  notes: number;
  programs: number;
  skipped: SkippedNote[];
  seconds: number;
  sampleRate: number;
  /** Bytes of WAV audio written. */
  audioBytes: number;
}

/** Below this peak (before levelling) a rendered note counts as silent: the font has no sample for that key. */
const SILENCE_PEAK = 1e-4;

type ResolvedOptions = Required<Omit<NoteDatasetOptions, 'holdSeconds' | 'out'>> & { holdSeconds: number; out: string };

function resolveOptions(options: NoteDatasetOptions): ResolvedOptions {
  // Undefined fields (unset CLI flags) keep their defaults.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as NoteDatasetOptions;
  const o = { ...noteDatasetDefaults, ...given };
  const holdSeconds = options.holdSeconds ?? o.seconds * 0.75;
  const out = path.resolve(options.out ?? defaultNoteDatasetDir());
  const fail = (why: string): never => {
    throw new StudioError('BAD_INPUT', why);
  };
  if (o.programs.length === 0) fail('no programs given');
  for (const p of o.programs) if (!Number.isInteger(p) || p < 0 || p > 127) fail(`program ${p} is not in 0..127`);
  if (new Set(o.programs).size !== o.programs.length) fail('programs repeat');
  if (!Number.isInteger(o.pitchMin) || !Number.isInteger(o.pitchMax) || o.pitchMin < 0 || o.pitchMax > 127 || o.pitchMin > o.pitchMax) {
    fail(`pitch range ${o.pitchMin}-${o.pitchMax} is not within 0-127`);
  }
  if (o.velocities.length === 0) fail('no velocities given');
  for (const v of o.velocities) if (!Number.isInteger(v) || v < 1 || v > 127) fail(`velocity ${v} is not in 1..127`);
  if (new Set(o.velocities).size !== o.velocities.length) fail('velocities repeat');
  if (!(o.seconds > 0 && o.seconds <= 30)) fail(`note length ${o.seconds} s is not in (0, 30]`);
  if (!(holdSeconds >= 0 && holdSeconds <= o.seconds)) fail(`hold ${holdSeconds} s is not within the note length ${o.seconds} s`);
  if (!Number.isInteger(o.sampleRate) || o.sampleRate < 8000 || o.sampleRate > 192000) fail(`sample rate ${o.sampleRate} is not in 8000..192000`);
  if (![16, 24, 32].includes(o.bitDepth)) fail(`bit depth ${o.bitDepth} is not 16, 24 or 32`);
  if (!['program', 'note', 'none'].includes(o.level)) fail(`level "${o.level}" is not program, note or none`);
  if (!(o.peak > 0 && o.peak <= 1)) fail(`peak ${o.peak} is not in (0, 1]`);
  return { ...o, holdSeconds, out };
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

/** Renders the dataset. Progress: one event per rendered note. */
export async function buildNoteDataset(options: NoteDatasetOptions = {}, onProgress?: ProgressCallback): Promise<NoteDatasetSummary> {
  const o = resolveOptions(options);
  const font = resolveSoundFont(o.font);
  const renderer = new NoteRenderer(loadSoundBank(font));
  const pitches: number[] = [];
  for (let p = o.pitchMin; p <= o.pitchMax; p++) pitches.push(p);
  const total = o.programs.length * pitches.length * o.velocities.length;
  const examples: NoteExample[] = [];
  const skipped: SkippedNote[] = [];
  let audioBytes = 0;
  let done = 0;
  onProgress?.({ done, total, phase: 'rendering' });

  await writeDirAtomic(o.out, async (dir) => {
    await fs.mkdir(path.join(dir, 'audio'));
    for (const program of o.programs) {
      const family = familyOfProgram(program);
      const source = sourceOfProgram(program);
      const instrumentStr = `${family}_${font.tag}_${pad3(program)}`;
      // Render the whole program first: its gain depends on its loudest note.
      const notes: { noteStr: string; pitch: number; velocity: number; samples: Float32Array; peak: number }[] = [];
      for (const pitch of pitches) {
        for (const velocity of o.velocities) {
          const samples = await renderer.render({ program, pitch, velocity, seconds: o.seconds, holdSeconds: o.holdSeconds, sampleRate: o.sampleRate });
          notes.push({ noteStr: `${instrumentStr}-${pad3(pitch)}-${pad3(velocity)}`, pitch, velocity, samples, peak: peakOf(samples) });
          onProgress?.({ done: ++done, total, phase: 'rendering', info: { program } });
        }
      }
      const sounding = notes.filter((n) => n.peak >= SILENCE_PEAK);
      for (const n of notes) if (n.peak < SILENCE_PEAK) skipped.push({ noteStr: n.noteStr, reason: `silent (peak ${n.peak.toExponential(1)}): the font has no sound for this key` });
      const programPeak = Math.max(0, ...sounding.map((n) => n.peak));
      for (const n of sounding) {
        const gain = o.level === 'program' ? o.peak / programPeak : o.level === 'note' ? o.peak / n.peak : 1;
        if (gain !== 1) for (let i = 0; i < n.samples.length; i++) n.samples[i]! *= gain;
        const wavFile = `audio/${n.noteStr}.wav`;
        const bytes = encodeWav(n.samples, { sampleRate: o.sampleRate, bitDepth: o.bitDepth });
        await fs.writeFile(path.join(dir, wavFile), bytes);
        audioBytes += bytes.length;
        examples.push({
          noteStr: n.noteStr,
          wavFile,
          pitch: n.pitch,
          velocity: n.velocity,
          instrument: program,
          instrumentStr,
          instrumentFamily: NSYNTH_FAMILIES.indexOf(family),
          instrumentFamilyStr: family,
          instrumentSource: NSYNTH_SOURCES.indexOf(source),
          instrumentSourceStr: source,
          source: `soundfont:${font.name}`,
          sampleRate: o.sampleRate,
          seconds: n.samples.length / o.sampleRate,
          pitchFrom: 'render',
          program,
        });
      }
    }
    if (examples.length === 0) throw new StudioError('BAD_INPUT', `font ${font.name} made no sound for any of the requested notes`);
    await fs.writeFile(path.join(dir, MANIFEST_FILE), manifestText(examples));
    for (const licence of font.licenceFiles) await fs.copyFile(licence, path.join(dir, path.basename(licence)));
    const info = {
      kind: 'notes',
      source: 'soundfont',
      font: { name: font.name, file: path.basename(font.file), licence: font.licence, licenceFiles: font.licenceFiles.map((f) => path.basename(f)) },
      options: {
        programs: o.programs,
        pitchMin: o.pitchMin,
        pitchMax: o.pitchMax,
        velocities: o.velocities,
        seconds: o.seconds,
        holdSeconds: o.holdSeconds,
        sampleRate: o.sampleRate,
        bitDepth: o.bitDepth,
        level: o.level,
        peak: o.peak,
      },
      notes: examples.length,
      skipped,
    };
    await fs.writeFile(path.join(dir, 'dataset.json'), JSON.stringify(info, null, 2) + '\n');
  });
  return {
    dir: o.out,
    font: font.name,
    notes: examples.length,
    programs: o.programs.length,
    skipped,
    seconds: o.seconds,
    sampleRate: o.sampleRate,
    audioBytes,
  };
}

function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i]!);
    if (a > peak) peak = a;
  }
  return peak;
}
