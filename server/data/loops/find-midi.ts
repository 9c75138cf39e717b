/** Finds MIDI files in a folder tree (a user's folder or a Lakh MIDI tree), in a stable order. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../../util/errors.js';

const MIDI_NAME = /\.(mid|midi|kar|rmi|smf)(\.gz)?$/i;

export function isMidiFileName(name: string): boolean {
  return MIDI_NAME.test(name);
}

export interface FoundMidi {
  /** Absolute path. */
  file: string;
  /** Path relative to the root, with / separators (what manifests record). */
  relative: string;
}

export interface FindMidiResult {
  files: FoundMidi[];
  /** Entries passed over, with why (symlinked folders are not followed: they can loop or leave the tree). */
  passedOver: { source: string; reason: string }[];
}

export async function findMidiFiles(root: string): Promise<FindMidiResult> {
  let stat;
  try {
    stat = await fs.stat(root);
  } catch {
    throw new StudioError('NOT_FOUND', `${root}: no such folder`);
  }
  if (!stat.isDirectory()) throw new StudioError('BAD_INPUT', `${root}: is not a folder`);
  const files: FoundMidi[] = [];
  const passedOver: FindMidiResult['passedOver'] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      passedOver.push({ source: path.relative(root, dir) || '.', reason: `cannot read folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        await walk(full);
      } else if (entry.isSymbolicLink()) {
        const target = await fs.stat(full).catch(() => null);
        if (target?.isDirectory()) passedOver.push({ source: relative, reason: 'symbolic link to a folder, not followed' });
        else if (target?.isFile() && isMidiFileName(entry.name)) files.push({ file: full, relative });
        else if (!target && isMidiFileName(entry.name)) passedOver.push({ source: relative, reason: 'broken symbolic link' });
      } else if (entry.isFile() && isMidiFileName(entry.name)) {
        files.push({ file: full, relative });
      }
    }
  };
  await walk(root);
  return { files, passedOver };
}
