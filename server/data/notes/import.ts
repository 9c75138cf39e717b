// `studio data notes --from DIR`: imports notes a user already has into the manifest format. Two kinds of folder:
// an NSynth split (examples.json + audio/*.wav) or any folder of WAVs. Every WAV is decoded before it is accepted;
// bad files are listed with a reason and skipped, and the good ones are still imported. Accepted files are copied
// byte for byte into <out>/audio/, and the folder is built aside and swapped in whole.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../../util/errors.js';
import { writeDirAtomic } from '../../util/atomic.js';
import { projectRoot } from '../../util/version.js';
import type { ProgressCallback } from '../../util/progress.js';
import { MANIFEST_FILE, manifestText } from './manifest.js';
import type { SkippedFile } from './import-common.js';
import { planNSynthImport } from './import-nsynth.js';
import { planWavFolderImport } from './import-wavs.js';

export type { SkippedFile } from './import-common.js';

export interface NoteImportOptions {
  /** The folder to import. */
  from: string;
  /** Output folder (default <project>/audio-data/notes-<name of the source folder>). */
  out?: string;
  /** WAV folders: a pitch estimate below this confidence is not trusted and the file is skipped (default 0.5). */
  minConfidence?: number;
  /** Files larger than this are skipped (default 64 MiB; a note is a few hundred KB). */
  maxFileBytes?: number;
}

export const noteImportDefaults = { minConfidence: 0.5, maxFileBytes: 64 * 1024 * 1024 };

export interface NoteImportSummary {
  dir: string;
  kind: 'nsynth' | 'wav';
  imported: number;
  skipped: SkippedFile[];
}

export async function importNoteFolder(options: NoteImportOptions, onProgress?: ProgressCallback): Promise<NoteImportSummary> {
  const from = path.resolve(options.from);
  const stat = await fs.stat(from).catch(() => null);
  if (!stat) throw new StudioError('NOT_FOUND', `${options.from}: no such folder`);
  if (!stat.isDirectory()) throw new StudioError('BAD_INPUT', `${options.from}: not a folder`);
  const out = path.resolve(options.out ?? path.join(projectRoot(), 'audio-data', `notes-${path.basename(from) || 'import'}`));
  const rel = path.relative(from, out);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new StudioError('BAD_INPUT', `output folder ${out} is inside the folder being imported; choose --out elsewhere`);
  }
  const settings = { ...noteImportDefaults, ...options };
  const kind: 'nsynth' | 'wav' = existsSync(path.join(from, 'examples.json')) ? 'nsynth' : 'wav';
  const plan =
    kind === 'nsynth'
      ? await planNSynthImport(from, settings.maxFileBytes, onProgress)
      : await planWavFolderImport(from, settings.minConfidence, settings.maxFileBytes, onProgress);
  if (plan.notes.length === 0) {
    const first = plan.skipped.slice(0, 5).map((s) => `\n  ${s.file}: ${s.reason}`).join('');
    throw new StudioError('BAD_INPUT', `${options.from}: no usable notes found (${plan.skipped.length} files skipped)${first}`);
  }
  await writeDirAtomic(out, async (dir) => {
    await fs.mkdir(path.join(dir, 'audio'));
    let done = 0;
    for (const note of plan.notes) {
      await fs.copyFile(note.sourceFile, path.join(dir, note.example.wavFile));
      onProgress?.({ done: ++done, total: plan.notes.length, phase: 'copying' });
    }
    const examples = plan.notes.map((n) => n.example);
    await fs.writeFile(path.join(dir, MANIFEST_FILE), manifestText(examples));
    await fs.writeFile(path.join(dir, 'skipped.jsonl'), plan.skipped.map((s) => JSON.stringify(s) + '\n').join(''));
    const info = { kind: 'notes', source: kind, from, notes: examples.length, skipped: plan.skipped.length };
    await fs.writeFile(path.join(dir, 'dataset.json'), JSON.stringify(info, null, 2) + '\n');
  });
  return { dir: out, kind, imported: plan.notes.length, skipped: plan.skipped };
}
