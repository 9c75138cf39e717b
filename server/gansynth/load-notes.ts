/**
 * Reads a note dataset folder (manifest.jsonl + WAVs, from `studio data notes`) into memory for training (IF-Mel
 * images) or evaluation (audio). A bad WAV or a pitch outside the model's range is skipped with its reason; it never
 * stops the folder.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE, loadNoteAudio, readNoteManifest } from '../data/notes/manifest.js';
import { audioToIfMel } from '../spectral/ifmel.js';
import { describeThrown } from '../util/errors.js';
import type { ProgressCallback } from '../util/progress.js';
import type { NoteModelSpec } from './spec.js';
import type { NoteImageSet } from './note-dataset.js';

export interface LoadNotesOptions {
  /** IF-Mel images (training). Default true. */
  images?: boolean;
  /** Audio at the model's rate and length (evaluation). Default false. */
  audio?: boolean;
  onProgress?: ProgressCallback;
}

export interface LoadedNotes extends NoteImageSet {
  /** Present when `audio` was asked for. */
  audio: Float32Array[];
}

export async function loadNoteDataset(dir: string, spec: NoteModelSpec, options: LoadNotesOptions = {}): Promise<LoadedNotes> {
  const wantImages = options.images ?? true;
  const wantAudio = options.audio ?? false;
  const examples = await readNoteManifest(dir);
  const manifestSha256 = createHash('sha256').update(await fs.readFile(path.join(dir, MANIFEST_FILE))).digest('hex');
  const { sampleRate, seconds } = spec.spectral;
  const out: LoadedNotes = {
    images: [],
    audio: [],
    midiPitches: [],
    instruments: [],
    families: [],
    summary: { dir: path.resolve(dir), count: 0, skipped: [], midiPitchRange: [spec.midiPitchMax, spec.midiPitchMin], instruments: 0, manifestSha256 },
  };
  // Images land in one SharedArrayBuffer, so data-parallel training threads read them without copies.
  const perImage = spec.spectral.frames * spec.spectral.melBins * 2;
  const shared = wantImages ? new Float32Array(new SharedArrayBuffer(examples.length * perImage * 4)) : null;
  for (let i = 0; i < examples.length; i++) {
    const example = examples[i]!;
    if (i % 50 === 0 || i === examples.length - 1) options.onProgress?.({ done: i + 1, total: examples.length, phase: 'loading notes' });
    if (example.pitch < spec.midiPitchMin || example.pitch > spec.midiPitchMax) {
      out.summary.skipped.push({ file: example.wavFile, reason: `pitch ${example.pitch} is outside the model's MIDI ${spec.midiPitchMin}-${spec.midiPitchMax}` });
      continue;
    }
    let audio: Float32Array;
    try {
      audio = await loadNoteAudio(dir, example, sampleRate, seconds);
    } catch (err) {
      out.summary.skipped.push({ file: example.wavFile, reason: describeThrown(err) });
      continue;
    }
    if (shared) {
      const view = shared.subarray(out.images.length * perImage, (out.images.length + 1) * perImage);
      view.set(audioToIfMel(audio, spec.spectral));
      out.images.push(view);
    }
    if (wantAudio) out.audio.push(audio);
    out.midiPitches.push(example.pitch);
    out.instruments.push(example.instrumentStr);
    out.families.push(example.instrumentFamilyStr);
  }
  const count = out.midiPitches.length;
  out.summary.count = count;
  out.summary.instruments = new Set(out.instruments).size;
  out.summary.midiPitchRange = count ? [Math.min(...out.midiPitches), Math.max(...out.midiPitches)] : [0, 0];
  return out;
}
