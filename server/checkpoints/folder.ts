/**
 * The model folder: everything needed to load a trained model, in the tfjs weights format.
 *
 *   model.json + weights.bin      inference weights (generator), tfjs `weightsManifest` format
 *   spec.json                     shapes and preset: all that is needed to rebuild the networks
 *   metadata.json                 kind, step, run config, dataset, metrics
 *   training/weights.json + .bin  discriminator, optimizer slots: what `--resume` needs
 *   training/state.json           step, RNG and data-order state
 *   anything else (losses.jsonl, previews/...) passed as `files`
 *
 * Saving builds the new folder beside the old one (`.NAME.next`), then swaps it in with two renames; a kill at any
 * moment leaves either the old or the new folder findable, and `recoverModelFolder` (run by every save, and by
 * readers through `readableModelDir`) puts it back in place.
 */
import { promises as fs, existsSync } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../ml/tf.js';
import { StudioError, describeThrown } from '../util/errors.js';
import { readPackageVersion } from '../util/version.js';

export type ModelKind = 'notes' | 'loops';

export interface ModelMetadata {
  kind: ModelKind;
  formatVersion: 1;
  preset: string;
  step: number;
  createdAt: string;
  updatedAt: string;
  /** The training-run config (learning rates, batch, steps...), kept apart from the spec. */
  config: unknown;
  /** What the model was trained on. */
  dataset: unknown;
  metrics: Record<string, unknown>;
  backend?: string;
  [key: string]: unknown;
}

export interface TrainingState {
  weights: tf.NamedTensorMap;
  state: unknown;
}

export interface ModelFolderContents {
  spec: unknown;
  metadata: ModelMetadata;
  weights: tf.NamedTensorMap;
  training?: TrainingState;
  /** Extra files by relative path, e.g. 'losses.jsonl' or 'previews/step-100.wav'. */
  files?: Record<string, string | Uint8Array>;
  /** Relative paths (files or folders) carried over from the folder being replaced, unless `files` overrides them. */
  keep?: string[];
}

export interface LoadedModelFolder {
  dir: string;
  spec: unknown;
  metadata: ModelMetadata;
  weights: tf.NamedTensorMap;
  training?: TrainingState;
}

const MODEL_FORMAT = 'studio-gan';
const COMPLETE_MARKER = '.complete';

function siblings(dir: string): { next: string; prev: string } {
  const parent = path.dirname(path.resolve(dir));
  const base = path.basename(path.resolve(dir));
  return { next: path.join(parent, `.${base}.next`), prev: path.join(parent, `.${base}.prev`) };
}

/** Finishes or undoes a swap that a killed save left half-done. Safe to call at any time by the writer. */
export async function recoverModelFolder(dir: string): Promise<void> {
  const { next, prev } = siblings(dir);
  if (!existsSync(dir)) {
    if (existsSync(path.join(next, COMPLETE_MARKER))) await fs.rename(next, dir);
    else if (existsSync(prev)) await fs.rename(prev, dir);
  }
  await fs.rm(next, { recursive: true, force: true });
  if (existsSync(dir)) await fs.rm(prev, { recursive: true, force: true });
}

/** Where a reader finds the latest complete folder, without touching anything (a writer may be mid-swap). */
export function readableModelDir(dir: string): string {
  if (existsSync(path.join(dir, 'model.json'))) return dir;
  const { next, prev } = siblings(dir);
  if (existsSync(path.join(next, COMPLETE_MARKER))) return next;
  if (existsSync(path.join(prev, 'model.json'))) return prev;
  return dir;
}

export async function saveModelFolder(dir: string, contents: ModelFolderContents): Promise<void> {
  dir = path.resolve(dir);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  await recoverModelFolder(dir);
  const { next, prev } = siblings(dir);
  await fs.mkdir(next, { recursive: true });
  try {
    for (const rel of contents.keep ?? []) {
      const from = path.join(dir, safeRelative(rel));
      if (existsSync(from)) await fs.cp(from, path.join(next, safeRelative(rel)), { recursive: true });
    }
    await writeWeights(next, 'model.json', 'weights.bin', contents.weights, {
      kind: contents.metadata.kind,
      role: 'generator',
      rebuildFrom: 'spec.json',
    });
    await writeSynced(path.join(next, 'spec.json'), JSON.stringify(contents.spec, null, 2) + '\n');
    await writeSynced(path.join(next, 'metadata.json'), JSON.stringify(contents.metadata, null, 2) + '\n');
    if (contents.training) {
      await fs.mkdir(path.join(next, 'training'), { recursive: true });
      await writeWeights(next, 'training/weights.json', 'weights.bin', contents.training.weights, { role: 'training-state' });
      await writeSynced(path.join(next, 'training/state.json'), JSON.stringify(contents.training.state) + '\n');
    }
    for (const [rel, data] of Object.entries(contents.files ?? {})) {
      const target = path.join(next, safeRelative(rel));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await writeSynced(target, data);
    }
    await writeSynced(path.join(next, COMPLETE_MARKER), contents.metadata.updatedAt);
  } catch (err) {
    await fs.rm(next, { recursive: true, force: true });
    throw err;
  }
  if (existsSync(dir)) await fs.rename(dir, prev);
  await fs.rename(next, dir);
  await fs.rm(prev, { recursive: true, force: true });
}

export async function loadModelFolder(dir: string, options: { training?: boolean } = {}): Promise<LoadedModelFolder> {
  const from = readableModelDir(path.resolve(dir));
  const { spec, metadata } = await readModelSummary(from);
  const weights = await readWeights(from, 'model.json');
  let training: TrainingState | undefined;
  if (options.training) {
    if (!existsSync(path.join(from, 'training/weights.json'))) {
      tf.dispose(weights);
      throw new StudioError('NOT_FOUND', `${dir} has no training state (training/weights.json); it cannot be resumed`);
    }
    training = {
      weights: await readWeights(from, 'training/weights.json'),
      state: await readJson(path.join(from, 'training/state.json')),
    };
  }
  return { dir: from, spec, metadata, weights, training };
}

/** Spec and metadata only (no tensors): what a registry lists. */
export async function readModelSummary(dir: string): Promise<{ spec: unknown; metadata: ModelMetadata }> {
  const from = readableModelDir(path.resolve(dir));
  if (!existsSync(path.join(from, 'model.json'))) {
    throw new StudioError('NOT_FOUND', `${dir} is not a model folder (no model.json)`);
  }
  const spec = await readJson(path.join(from, 'spec.json'));
  const metadata = (await readJson(path.join(from, 'metadata.json'))) as ModelMetadata;
  if (metadata === null || typeof metadata !== 'object' || (metadata.kind !== 'notes' && metadata.kind !== 'loops')) {
    throw new StudioError('BAD_FILE', `${path.join(dir, 'metadata.json')}: "kind" must be "notes" or "loops"`);
  }
  return { spec, metadata };
}

async function writeWeights(
  dir: string,
  manifestRel: string,
  binName: string,
  weights: tf.NamedTensorMap,
  topology: Record<string, unknown>,
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(weights);
  const manifestPath = path.join(dir, manifestRel);
  await writeSynced(path.join(path.dirname(manifestPath), binName), new Uint8Array(data));
  const artifacts = {
    format: MODEL_FORMAT,
    generatedBy: `studio ${readPackageVersion()}`,
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: [binName], weights: specs }],
  };
  await writeSynced(manifestPath, JSON.stringify(artifacts, null, 1) + '\n');
}

async function readWeights(dir: string, manifestRel: string): Promise<tf.NamedTensorMap> {
  const manifestPath = path.join(dir, manifestRel);
  const manifest = (await readJson(manifestPath)) as {
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!Array.isArray(manifest.weightsManifest)) {
    throw new StudioError('BAD_FILE', `${manifestPath}: no weightsManifest`);
  }
  const buffers: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest.weightsManifest) {
    for (const p of group.paths) buffers.push(await fs.readFile(path.join(path.dirname(manifestPath), safeRelative(p))));
    specs.push(...group.weights);
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    joined.set(b, offset);
    offset += b.byteLength;
  }
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, d) => a * d, 1) * bytesPer(s.dtype), 0);
  if (expected !== total) {
    throw new StudioError('BAD_FILE', `${manifestPath}: weights are ${total} bytes, the manifest describes ${expected}`);
  }
  return tf.io.decodeWeights(joined.buffer, specs);
}

function bytesPer(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool') return 1;
  throw new StudioError('BAD_FILE', `unsupported weight dtype ${dtype}`);
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new StudioError('BAD_FILE', `cannot read ${file}: ${describeThrown(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StudioError('BAD_FILE', `${file} is not valid JSON: ${describeThrown(err)}`);
  }
}

async function writeSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Rejects absolute paths and `..` so a file name can never leave the model folder. */
function safeRelative(rel: string): string {
  const normal = path.normalize(rel);
  if (path.isAbsolute(normal) || normal.split(path.sep).includes('..') || normal === '.' || normal === '') {
    throw new StudioError('BAD_INPUT', `"${rel}" is not a relative path inside the model folder`);
  }
  return normal;
}
