import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../util/errors.js';
import { projectRoot } from '../util/version.js';

/** A model id is a folder name under models/: letters, digits, dot, dash, underscore; no path parts. */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function defaultModelsDir(): string {
  return process.env.STUDIO_MODELS_DIR ? path.resolve(process.env.STUDIO_MODELS_DIR) : path.join(projectRoot(), 'models');
}

export function isModelId(value: string): boolean {
  return MODEL_ID_PATTERN.test(value) && !value.includes('..');
}

/**
 * Resolves a CLI `--model` argument: a folder path (anything with a slash, or an existing folder) or a model id
 * (a folder name under the models directory). Throws a clear NOT_FOUND when neither holds a model.
 */
export function resolveModelDir(modelArg: string, options: { modelsDir?: string } = {}): string {
  const modelsDir = options.modelsDir ?? defaultModelsDir();
  const looksLikePath = modelArg.includes('/') || modelArg.includes(path.sep) || modelArg.startsWith('.');
  if (!looksLikePath && isModelId(modelArg)) {
    const dir = path.join(modelsDir, modelArg);
    if (isModelFolder(dir)) return dir;
    if (!isModelFolder(modelArg)) {
      throw new StudioError('NOT_FOUND', `unknown model "${modelArg}": no model folder ${dir} (and no folder ./${modelArg})`);
    }
  }
  const dir = path.resolve(modelArg);
  if (!isModelFolder(dir)) throw new StudioError('NOT_FOUND', `${modelArg} is not a model folder (it needs model.json)`);
  return dir;
}

function isModelFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(path.join(dir, 'model.json'));
  } catch {
    return false;
  }
}
