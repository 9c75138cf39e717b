/**
 * A GAN's checkpoint in the shared model-folder format, whatever the model: generator weights for inference, the
 * critic's weights and both optimisers' state for `--resume`, the run state (training/state.json), losses.jsonl and
 * preview files under previews/step-NNNNNN/. Each model supplies its own spec, config and state parsers.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { tf } from '../ml/tf.js';
import { loadModelFolder, saveModelFolder, type ModelMetadata } from '../checkpoints/folder.js';
import { StudioError } from '../util/errors.js';

export const LOSSES_FILE = 'losses.jsonl';
export const PREVIEWS_DIR = 'previews';

/** What a checkpoint needs of a trainable GAN. */
export interface CheckpointableGan {
  readonly spec: unknown;
  /** Generator weights (inference); the caller disposes them. */
  inferenceWeights(): tf.NamedTensorMap;
  /** Critic weights and optimiser state (resume); the caller disposes them. */
  trainingWeights(): tf.NamedTensorMap;
}

export interface SaveGanCheckpointOptions {
  gan: CheckpointableGan;
  /** Run state for training/state.json (step, training seconds, and whatever else the model resumes from). */
  state: object;
  metadata: ModelMetadata;
  /** The whole losses log so far (JSON lines). */
  lossesJsonl: string;
  /** New preview files, relative paths under previews/. */
  previews: Record<string, Uint8Array>;
  /** Checkpoints whose previews stay in the folder, this one included (older ones are dropped to keep it small). */
  previewCheckpointsKept: number;
  /** Carry the newest earlier previews over from the folder (false when it holds another run, e.g. under --force). */
  keepEarlierPreviews: boolean;
}

export async function saveGanCheckpoint(dir: string, options: SaveGanCheckpointOptions): Promise<void> {
  const { gan, state, metadata } = options;
  const weights = gan.inferenceWeights();
  const training = gan.trainingWeights();
  try {
    const files: Record<string, string | Uint8Array> = { [LOSSES_FILE]: options.lossesJsonl };
    for (const [rel, bytes] of Object.entries(options.previews)) files[`${PREVIEWS_DIR}/${rel}`] = bytes;
    await saveModelFolder(dir, {
      spec: gan.spec,
      metadata,
      weights,
      training: { weights: training, state },
      files,
      keep: options.keepEarlierPreviews ? await recentPreviewDirs(dir, options.previewCheckpointsKept - 1) : [],
    });
  } finally {
    tf.dispose(weights);
    tf.dispose(training);
  }
}

export interface LoadedGanCheckpoint<Spec, Config, State> {
  spec: Spec;
  config: Config;
  metadata: ModelMetadata;
  state: State;
  weights: tf.NamedTensorMap;
  trainingWeights: tf.NamedTensorMap;
  /** losses.jsonl lines up to the checkpoint's step. */
  lossesJsonl: string;
}

export interface GanCheckpointFormat<Spec, Config, State extends { step: number }> {
  /** metadata.json `kind` the folder must hold. */
  kind: string;
  /** For the error when it holds another kind, e.g. "note model". */
  modelName: string;
  parseSpec(raw: unknown, source: string): Spec;
  parseConfig(raw: unknown, source: string): Config;
  stateSchema: z.ZodType<State>;
}

/** Reads everything `--resume` needs; the caller disposes the two weight maps. */
export async function loadGanCheckpoint<Spec, Config, State extends { step: number }>(
  dir: string,
  format: GanCheckpointFormat<Spec, Config, State>,
): Promise<LoadedGanCheckpoint<Spec, Config, State>> {
  const folder = await loadModelFolder(dir, { training: true });
  try {
    if (folder.metadata.kind !== format.kind) throw new StudioError('BAD_INPUT', `${dir} holds a "${folder.metadata.kind}" model, not a ${format.modelName}`);
    const spec = format.parseSpec(folder.spec, path.join(dir, 'spec.json'));
    const config = format.parseConfig(folder.metadata.config, path.join(dir, 'metadata.json'));
    const parsed = format.stateSchema.safeParse(folder.training!.state);
    if (!parsed.success) throw new StudioError('BAD_FILE', `${path.join(dir, 'training/state.json')}: ${parsed.error.issues[0]!.message}`);
    const lossesPath = path.join(folder.dir, LOSSES_FILE);
    const allLosses = existsSync(lossesPath) ? await fs.readFile(lossesPath, 'utf8') : '';
    const lossesJsonl = allLosses
      .split('\n')
      .filter((line) => line.trim() && lineStep(line) <= parsed.data.step)
      .map((line) => line + '\n')
      .join('');
    return { spec, config, metadata: folder.metadata, state: parsed.data, weights: folder.weights, trainingWeights: folder.training!.weights, lossesJsonl };
  } catch (err) {
    tf.dispose(folder.weights);
    if (folder.training) tf.dispose(folder.training.weights);
    throw err;
  }
}

/** The newest `count` preview folders (previews/step-NNNNNN) of the current checkpoint, to carry over. */
async function recentPreviewDirs(dir: string, count: number): Promise<string[]> {
  const previews = path.join(dir, PREVIEWS_DIR);
  if (!existsSync(previews) || count <= 0) return [];
  const names = (await fs.readdir(previews)).filter((n) => /^step-\d+$/.test(n)).sort();
  return names.slice(-count).map((n) => `${PREVIEWS_DIR}/${n}`);
}

function lineStep(line: string): number {
  try {
    const step = (JSON.parse(line) as { step?: unknown }).step;
    return typeof step === 'number' ? step : Infinity;
  } catch {
    return Infinity;
  }
}

export function previewDirName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}
