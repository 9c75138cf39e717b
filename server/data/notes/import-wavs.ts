// Plain folders of WAVs (a sampler library, a user's recordings): pitch from the file name when it says
// (C#4, midi60, NSynth's -060-100), otherwise estimated with YIN; the instrument is the first sub-folder (or the
// folder itself). Files without a trustworthy pitch are skipped with the reason.
import * as path from 'node:path';
import type { ProgressCallback } from '../../util/progress.js';
import { decodeWav, toMono } from '../../audio/wav.js';
import { estimateF0 } from '../../audio/f0.js';
import { NSYNTH_FAMILIES, type NSynthFamily } from './families.js';
import { listFiles, readForImport, reasonOf, type ImportPlan, type PlannedNote, type SkippedFile } from './import-common.js';
import { hintsFromFileName, safeToken } from './names.js';

const DEFAULT_VELOCITY = 100;

/** An NSynth family named in the instrument's folder or file name (e.g. "Bass", "strings"), if any. */
function familyFromWords(text: string): NSynthFamily | null {
  const words = text.toLowerCase().split(/[^a-z]+/);
  const aliases: Record<string, NSynthFamily> = { piano: 'keyboard', strings: 'string', violin: 'string', cello: 'string', voice: 'vocal', lead: 'synth_lead' };
  for (const w of words) {
    const bare = w.endsWith('s') ? w.slice(0, -1) : w;
    if ((NSYNTH_FAMILIES as readonly string[]).includes(w)) return w as NSynthFamily;
    if ((NSYNTH_FAMILIES as readonly string[]).includes(bare)) return bare as NSynthFamily;
    if (aliases[w]) return aliases[w]!;
  }
  return null;
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

export async function planWavFolderImport(from: string, minConfidence: number, maxFileBytes: number, onProgress?: ProgressCallback): Promise<ImportPlan> {
  const files = await listFiles(from);
  const skipped: SkippedFile[] = [];
  const notes: PlannedNote[] = [];
  const instrumentIds = new Map<string, number>();
  const used = new Set<string>();
  const folderName = safeToken(path.basename(from), 'instrument');
  let done = 0;
  for (const file of files) {
    onProgress?.({ done: done++, total: files.length, phase: 'checking' });
    if (!/\.wav$/i.test(file)) {
      if (file !== 'examples.json') skipped.push({ file, reason: 'not a .wav file' });
      continue;
    }
    const bytes = await readForImport(path.join(from, file), maxFileBytes);
    if (typeof bytes === 'string') {
      skipped.push({ file, reason: bytes });
      continue;
    }
    let mono: Float32Array;
    let sampleRate: number;
    try {
      const audio = decodeWav(bytes, file);
      sampleRate = audio.sampleRate;
      mono = toMono(audio);
    } catch (err) {
      skipped.push({ file, reason: reasonOf(err, file) });
      continue;
    }
    const hints = hintsFromFileName(path.posix.basename(file));
    const f0 = estimateF0(mono, sampleRate);
    let pitch = hints.pitch;
    let pitchFrom: 'filename' | 'estimated' = 'filename';
    if (pitch === undefined) {
      if (!f0) {
        skipped.push({ file, reason: 'silent or too short to find a pitch, and the file name gives none' });
        continue;
      }
      if (f0.confidence < minConfidence) {
        skipped.push({ file, reason: `no clear pitch (confidence ${f0.confidence.toFixed(2)} < ${minConfidence}); name the file with its note, e.g. C4 or midi60` });
        continue;
      }
      pitch = Math.round(f0.midi);
      pitchFrom = 'estimated';
      if (pitch < 0 || pitch > 127) {
        skipped.push({ file, reason: `estimated pitch ${f0.hz.toFixed(1)} Hz is outside the MIDI range` });
        continue;
      }
    }
    const velocity = hints.velocity ?? DEFAULT_VELOCITY;
    const parts = file.split('/');
    const instrumentStr = parts.length > 1 ? safeToken(parts[0]!, folderName) : folderName;
    if (!instrumentIds.has(instrumentStr)) instrumentIds.set(instrumentStr, instrumentIds.size);
    const family = familyFromWords(file) ?? familyFromWords(path.basename(from));
    let noteStr = `${instrumentStr}-${pad3(pitch)}-${pad3(velocity)}`;
    for (let k = 2; used.has(noteStr); k++) noteStr = `${instrumentStr}-${pad3(pitch)}-${pad3(velocity)}-${k}`;
    used.add(noteStr);
    notes.push({
      sourceFile: path.join(from, file),
      example: {
        noteStr,
        wavFile: `audio/${noteStr}.wav`,
        pitch,
        velocity,
        instrument: instrumentIds.get(instrumentStr)!,
        instrumentStr,
        instrumentFamily: family ? NSYNTH_FAMILIES.indexOf(family) : -1,
        instrumentFamilyStr: family ?? 'unknown',
        instrumentSource: -1,
        instrumentSourceStr: 'unknown',
        source: 'wav',
        sampleRate,
        seconds: mono.length / sampleRate,
        pitchFrom,
        ...(f0 && f0.confidence >= minConfidence ? { f0Hz: f0.hz } : {}),
      },
    });
  }
  return { notes, skipped };
}
