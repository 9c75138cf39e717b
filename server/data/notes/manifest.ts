// The note dataset's manifest: one JSON object per line in manifest.jsonl, with NSynth's field names (snake_case)
// plus the WAV file each row describes. In code the rows are NoteExamples (camelCase).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { StudioError } from '../../util/errors.js';
import { readWav, toMono } from '../../audio/wav.js';
import { resample } from '../../audio/resample.js';

export const MANIFEST_FILE = 'manifest.jsonl';

/** How a row's pitch was found. */
export type PitchSource = 'render' | 'metadata' | 'filename' | 'estimated';

export interface NoteExample {
  /** NSynth's note_str: `<instrumentStr>-<pitch 3 digits>-<velocity 3 digits>`, unique in a dataset. */
  noteStr: string;
  /** The WAV, relative to the dataset folder, '/'-separated. */
  wavFile: string;
  /** MIDI pitch 0..127. */
  pitch: number;
  /** MIDI velocity 0..127 (100 when unknown). */
  velocity: number;
  /** Instrument id, unique per instrumentStr within the dataset. */
  instrument: number;
  instrumentStr: string;
  /** NSynth family id (index in NSYNTH_FAMILIES), -1 when unknown. */
  instrumentFamily: number;
  instrumentFamilyStr: string;
  /** NSynth source id (0 acoustic, 1 electronic, 2 synthetic), -1 when unknown. */
  instrumentSource: number;
  instrumentSourceStr: string;
  /** Where the example came from: `soundfont:<font>`, `nsynth` or `wav`. */
  source: string;
  /** Sample rate of the WAV file. */
  sampleRate: number;
  /** Length of the WAV file. */
  seconds: number;
  pitchFrom: PitchSource;
  /** Estimated fundamental, Hz, when one was measured. */
  f0Hz?: number;
  /** GM program, for rendered examples. */
  program?: number;
}

const rowSchema = z.object({
  note_str: z.string().min(1),
  wav_file: z.string().min(1),
  pitch: z.number().int().min(0).max(127),
  velocity: z.number().int().min(0).max(127),
  instrument: z.number().int(),
  instrument_str: z.string(),
  instrument_family: z.number().int(),
  instrument_family_str: z.string(),
  instrument_source: z.number().int(),
  instrument_source_str: z.string(),
  source: z.string(),
  sample_rate: z.number().int().positive(),
  seconds: z.number().positive(),
  pitch_from: z.enum(['render', 'metadata', 'filename', 'estimated']),
  f0_hz: z.number().positive().optional(),
  program: z.number().int().min(0).max(127).optional(),
});
type ManifestRow = z.infer<typeof rowSchema>;

export function exampleToRow(e: NoteExample): ManifestRow {
  const row: ManifestRow = {
    note_str: e.noteStr,
    wav_file: e.wavFile,
    pitch: e.pitch,
    velocity: e.velocity,
    instrument: e.instrument,
    instrument_str: e.instrumentStr,
    instrument_family: e.instrumentFamily,
    instrument_family_str: e.instrumentFamilyStr,
    instrument_source: e.instrumentSource,
    instrument_source_str: e.instrumentSourceStr,
    source: e.source,
    sample_rate: e.sampleRate,
    seconds: e.seconds,
    pitch_from: e.pitchFrom,
  };
  if (e.f0Hz !== undefined) row.f0_hz = Math.round(e.f0Hz * 1000) / 1000;
  if (e.program !== undefined) row.program = e.program;
  return row;
}

function rowToExample(r: ManifestRow): NoteExample {
  const e: NoteExample = {
    noteStr: r.note_str,
    wavFile: r.wav_file,
    pitch: r.pitch,
    velocity: r.velocity,
    instrument: r.instrument,
    instrumentStr: r.instrument_str,
    instrumentFamily: r.instrument_family,
    instrumentFamilyStr: r.instrument_family_str,
    instrumentSource: r.instrument_source,
    instrumentSourceStr: r.instrument_source_str,
    source: r.source,
    sampleRate: r.sample_rate,
    seconds: r.seconds,
    pitchFrom: r.pitch_from,
  };
  if (r.f0_hz !== undefined) e.f0Hz = r.f0_hz;
  if (r.program !== undefined) e.program = r.program;
  return e;
}

/** manifest.jsonl text for `examples` (one line each, stable key order: same examples, same bytes). */
export function manifestText(examples: NoteExample[]): string {
  return examples.map((e) => JSON.stringify(exampleToRow(e)) + '\n').join('');
}

/** A manifest path must stay inside its dataset folder: relative, no '..', no drive or root. */
export function checkRelativeWavPath(wavFile: string, where: string): void {
  const normal = path.posix.normalize(wavFile.replace(/\\/g, '/'));
  if (path.posix.isAbsolute(normal) || path.win32.isAbsolute(wavFile) || normal === '..' || normal.startsWith('../') || normal.includes('\0')) {
    throw new StudioError('BAD_FILE', `${where}: wav_file "${wavFile}" points outside the dataset folder`);
  }
}

/** Reads `dir/manifest.jsonl`. A malformed row is an error naming the file and line (the dataset is damaged). */
export async function readNoteManifest(dir: string): Promise<NoteExample[]> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new StudioError('NOT_FOUND', `${dir}: not a note dataset (no ${MANIFEST_FILE}; build one with "studio data notes")`);
    }
    throw new StudioError('BAD_FILE', `${file}: cannot read (${(err as Error).message})`);
  }
  const examples: NoteExample[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new StudioError('BAD_FILE', `${where}: not valid JSON`);
    }
    const parsed = rowSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new StudioError('BAD_FILE', `${where}: ${issue.path.join('.') || 'row'}: ${issue.message}`);
    }
    checkRelativeWavPath(parsed.data.wav_file, where);
    if (seen.has(parsed.data.note_str)) throw new StudioError('BAD_FILE', `${where}: note_str "${parsed.data.note_str}" appears twice`);
    seen.add(parsed.data.note_str);
    examples.push(rowToExample(parsed.data));
  }
  return examples;
}

/**
 * The example's audio as the model wants it: mono, at `sampleRate`, exactly round(seconds * sampleRate) samples
 * (cut, or zero-padded at the end).
 */
export async function loadNoteAudio(dir: string, example: NoteExample, sampleRate: number, seconds: number): Promise<Float32Array> {
  checkRelativeWavPath(example.wavFile, `${path.join(dir, MANIFEST_FILE)} (${example.noteStr})`);
  const audio = await readWav(path.join(dir, example.wavFile));
  let mono = toMono(audio);
  if (audio.sampleRate !== sampleRate) mono = resample(mono, audio.sampleRate, sampleRate);
  const length = Math.round(seconds * sampleRate);
  if (mono.length === length) return mono;
  const out = new Float32Array(length);
  out.set(mono.subarray(0, Math.min(length, mono.length)));
  return out;
}
