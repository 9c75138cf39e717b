// NSynth folders (examples.json + audio/<note_str>.wav, as in nsynth-{train,valid,test}.jsonwav): the metadata
// comes from examples.json; each listed WAV is decoded to prove it is usable before it is accepted.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ProgressCallback } from '../../util/progress.js';
import { decodeWav, toMono } from '../../audio/wav.js';
import { NSYNTH_FAMILIES, NSYNTH_SOURCES } from './families.js';
import { listFiles, readForImport, reasonOf, type ImportPlan, type PlannedNote, type SkippedFile } from './import-common.js';
import { planWavFolderImport } from './import-wavs.js';

const MAX_INDEX_BYTES = 512 * 1024 * 1024;
const SAFE_NOTE_STR = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

interface NSynthEntry {
  note_str?: unknown;
  pitch?: unknown;
  velocity?: unknown;
  instrument?: unknown;
  instrument_str?: unknown;
  instrument_family?: unknown;
  instrument_family_str?: unknown;
  instrument_source?: unknown;
  instrument_source_str?: unknown;
}

const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

export async function planNSynthImport(from: string, maxFileBytes: number, onProgress?: ProgressCallback): Promise<ImportPlan> {
  const indexFile = path.join(from, 'examples.json');
  const skipped: SkippedFile[] = [];
  let index: Record<string, NSynthEntry>;
  try {
    const stat = await fs.stat(indexFile);
    if (stat.size > MAX_INDEX_BYTES) throw new Error(`${(stat.size / 1024 / 1024).toFixed(0)} MiB is too large`);
    const parsed: unknown = JSON.parse(await fs.readFile(indexFile, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object keyed by note_str');
    index = parsed as Record<string, NSynthEntry>;
  } catch (err) {
    // Without its index the folder is still a folder of NSynth-named WAVs (<instrument>-<pitch>-<velocity>.wav).
    const fallback = await planWavFolderImport(from, 0.5, maxFileBytes, onProgress);
    return { notes: fallback.notes, skipped: [{ file: 'examples.json', reason: `unusable (${reasonOf(err, indexFile)}); imported the WAVs by file name instead` }, ...fallback.skipped] };
  }

  const keys = Object.keys(index).sort();
  const listed = new Set<string>();
  const notes: PlannedNote[] = [];
  let done = 0;
  for (const key of keys) {
    onProgress?.({ done: done++, total: keys.length, phase: 'checking' });
    const entry = index[key];
    const where = `examples.json["${key}"]`;
    if (!entry || typeof entry !== 'object') {
      skipped.push({ file: where, reason: 'entry is not an object' });
      continue;
    }
    const noteStr = typeof entry.note_str === 'string' ? entry.note_str : key;
    if (!SAFE_NOTE_STR.test(noteStr)) {
      skipped.push({ file: where, reason: `note_str ${JSON.stringify(noteStr)} is not a safe file name` });
      continue;
    }
    const wavRel = `audio/${noteStr}.wav`;
    if (listed.has(wavRel)) {
      skipped.push({ file: where, reason: `note_str "${noteStr}" is listed twice` });
      continue;
    }
    listed.add(wavRel);
    if (!isInt(entry.pitch, 0, 127)) {
      skipped.push({ file: wavRel, reason: `examples.json gives no valid pitch (${JSON.stringify(entry.pitch)})` });
      continue;
    }
    const velocity = isInt(entry.velocity, 0, 127) ? entry.velocity : 100;
    const bytes = await readForImport(path.join(from, wavRel), maxFileBytes);
    if (typeof bytes === 'string') {
      skipped.push({ file: wavRel, reason: bytes.startsWith('cannot read') ? 'listed in examples.json but missing or unreadable' : bytes });
      continue;
    }
    let sampleRate: number;
    let frames: number;
    try {
      const audio = decodeWav(bytes, wavRel);
      sampleRate = audio.sampleRate;
      frames = toMono(audio).length;
    } catch (err) {
      skipped.push({ file: wavRel, reason: reasonOf(err, wavRel) });
      continue;
    }
    const family = isInt(entry.instrument_family, 0, NSYNTH_FAMILIES.length - 1) ? entry.instrument_family : -1;
    const source = isInt(entry.instrument_source, 0, NSYNTH_SOURCES.length - 1) ? entry.instrument_source : -1;
    const instrumentStr = typeof entry.instrument_str === 'string' ? entry.instrument_str : noteStr.replace(/-\d{3}-\d{3}$/, '');
    notes.push({
      sourceFile: path.join(from, wavRel),
      example: {
        noteStr,
        wavFile: wavRel,
        pitch: entry.pitch,
        velocity,
        instrument: isInt(entry.instrument, 0, Number.MAX_SAFE_INTEGER) ? entry.instrument : -1,
        instrumentStr,
        instrumentFamily: family,
        instrumentFamilyStr: family >= 0 ? NSYNTH_FAMILIES[family]! : typeof entry.instrument_family_str === 'string' ? entry.instrument_family_str : 'unknown',
        instrumentSource: source,
        instrumentSourceStr: source >= 0 ? NSYNTH_SOURCES[source]! : typeof entry.instrument_source_str === 'string' ? entry.instrument_source_str : 'unknown',
        source: 'nsynth',
        sampleRate,
        seconds: frames / sampleRate,
        pitchFrom: 'metadata',
      },
    });
  }
  for (const file of await listFiles(from)) {
    if (/\.wav$/i.test(file) && !listed.has(file)) skipped.push({ file, reason: 'not listed in examples.json' });
  }
  return { notes, skipped };
}
