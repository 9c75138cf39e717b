/**
 * A loop model's checkpoint in the shared model-folder format: generator (+ conditional encoder) weights for
 * inference, critic and both Adam states for `--resume`, the step, losses.jsonl and preview MIDI loops.
 * Every random draw of training is a function of (seed, step), so the step is all the run state there is.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { tf } from '../ml/tf.js';
import { loadModelFolder, saveModelFolder, type ModelMetadata } from '../checkpoints/folder.js';
import { StudioError } from '../util/errors.js';
import { parseLoopSpec, type LoopSpec } from './spec.js';
import { parseLoopTrainConfig, type LoopTrainConfig } from './train-config.js';
import type { LoopGan } from './loop-gan.js';

const trainingStateSchema = z.object({
  step: z.number().int().min(0),
  /** Wall-clock seconds of training so far, over all sessions. */
  trainingSeconds: z.number().min(0),
});
export type LoopTrainingState = z.infer<typeof trainingStateSchema>;

export const LOSSES_FILE = 'losses.jsonl';
export const PREVIEWS_DIR = 'previews';
/** Checkpoints whose preview loops stay in the folder (older ones are dropped to keep it small). */
export const PREVIEW_CHECKPOINTS_KEPT = 5;

export interface SaveLoopCheckpointOptions {
  gan: LoopGan;
  state: LoopTrainingState;
  metadata: ModelMetadata;
  /** The whole losses log so far (JSON lines). */
  lossesJsonl: string;
  /** New preview files, relative paths under previews/. */
  previews: Record<string, Uint8Array>;
}

export async function saveLoopCheckpoint(dir: string, options: SaveLoopCheckpointOptions): Promise<void> {
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
      keep: await recentPreviewDirs(dir, PREVIEW_CHECKPOINTS_KEPT - 1),
    });
  } finally {
    tf.dispose(weights);
    tf.dispose(training);
  }
}

export interface LoadedLoopCheckpoint {
  spec: LoopSpec;
  config: LoopTrainConfig;
  metadata: ModelMetadata;
  state: LoopTrainingState;
  weights: tf.NamedTensorMap;
  trainingWeights: tf.NamedTensorMap;
  /** losses.jsonl lines up to the checkpoint's step. */
  lossesJsonl: string;
}

/** Reads everything `--resume` needs; the caller disposes the two weight maps. */
export async function loadLoopCheckpoint(dir: string): Promise<LoadedLoopCheckpoint> {
  const folder = await loadModelFolder(dir, { training: true });
  try {
    if (folder.metadata.kind !== 'loops') throw new StudioError('BAD_INPUT', `${dir} holds a "${folder.metadata.kind}" model, not a loop model`);
    const spec = parseLoopSpec(folder.spec, path.join(dir, 'spec.json'));
    const config = parseLoopTrainConfig(folder.metadata.config, path.join(dir, 'metadata.json'));
    const parsed = trainingStateSchema.safeParse(folder.training!.state);
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
