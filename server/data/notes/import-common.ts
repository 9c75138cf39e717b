// Pieces shared by the two note importers (NSynth folders, plain WAV folders).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeThrown } from '../../util/errors.js';
import type { NoteExample } from './manifest.js';

export interface SkippedFile {
  /** Path relative to the source folder. */
  file: string;
  reason: string;
}

/** One accepted example and the source file its bytes come from. */
export interface PlannedNote {
  example: NoteExample;
  sourceFile: string;
}

export interface ImportPlan {
  notes: PlannedNote[];
  skipped: SkippedFile[];
}

/** Lists files under `dir` (relative, '/'-separated, sorted so imports are deterministic), skipping dot-files. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  await walk('');
  return out.sort();
}

/** Reads a file for import, refusing oversized ones; failures become a skip reason instead of an exception. */
export async function readForImport(file: string, maxBytes: number): Promise<Uint8Array | string> {
  try {
    const stat = await fs.stat(file);
    if (stat.size > maxBytes) return `${(stat.size / 1024 / 1024).toFixed(1)} MiB is larger than the ${(maxBytes / 1024 / 1024).toFixed(0)} MiB limit for a note`;
    const bytes = await fs.readFile(file);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    return `cannot read (${describeThrown(err)})`;
  }
}

/** A StudioError's message without the leading "<file>: " (the skip list names the file already). */
export function reasonOf(err: unknown, file: string): string {
  const message = describeThrown(err);
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}
