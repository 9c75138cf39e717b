import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** File types a trainer writes as previews and a client can play or show. */
export const PREVIEW_EXTENSIONS = new Set(['.wav', '.mid', '.json', '.png', '.txt']);
const MAX_PREVIEWS = 24;

/**
 * The newest preview files of a model folder (`previews/`, one level of subfolders, e.g. `previews/step-200/60.wav`),
 * as '/'-separated paths relative to `previews/`, in natural order (step-90 before step-100).
 */
export async function listPreviews(modelDir: string): Promise<string[]> {
  const root = path.join(modelDir, 'previews');
  const found: string[] = [];
  let top: import('node:fs').Dirent[];
  try {
    top = await fs.readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const entry of top) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isFile() && PREVIEW_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) found.push(entry.name);
    if (entry.isDirectory()) {
      try {
        for (const inner of await fs.readdir(path.join(root, entry.name), { withFileTypes: true })) {
          if (inner.isFile() && !inner.name.startsWith('.') && PREVIEW_EXTENSIONS.has(path.extname(inner.name).toLowerCase())) {
            found.push(`${entry.name}/${inner.name}`);
          }
        }
      } catch {
        // a folder being swapped in by a checkpoint save: next scan
      }
    }
  }
  const collator = new Intl.Collator('en', { numeric: true });
  return found.sort(collator.compare).slice(-MAX_PREVIEWS);
}
