/**
 * A note model's checkpoint in the shared model-folder format: generator weights for inference, discriminator and
 * both Adam states for `--resume`, the step / data-order / RNG state, losses.jsonl and preview WAVs.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { tf } from '../ml/tf.js';
import { loadModelFolder, saveModelFolder, type ModelMetadata } from '../checkpoints/folder.js';
import { StudioError } from '../util/errors.js';
import { parseNoteModelSpec, type NoteModelSpec } from './spec.js';
import { parseNoteTrainConfig, type NoteTrainConfig } from './train-config.js';
import type { NoteGan } from './note-gan.js';
import type { BatchSamplerState } from './batch-sampler.js';
import type { RandomState } from './random.js';

const word = z.number().int().min(0).max(0xffffffff);
const rngStateSchema = z.tuple([word, word, word, word]);

const trainingStateSchema = z.object({
  step: z.number().int().min(0),
  sampler: z.object({ epoch: z.number().int().min(0), position: z.number().int().min(0), epochRngState: rngStateSchema, rngState: rngStateSchema }),
  rng: rngStateSchema,
  /** Wall-clock seconds of training so far, over all sessions. */
  trainingSeconds: z.number().min(0),
});

export interface NoteTrainingState {
  step: number;
  sampler: BatchSamplerState;
  rng: RandomState;
  trainingSeconds: number;
}

export const LOSSES_FILE = 'losses.jsonl';
export const PREVIEWS_DIR = 'previews';
/** Checkpoints whose preview WAVs stay in the folder (older ones are dropped to keep it small). */
export const PREVIEW_CHECKPOINTS_KEPT = 4;

export interface SaveNoteCheckpointOptions {
  gan: NoteGan;
  state: NoteTrainingState;
  metadata: ModelMetadata;
  /** The whole losses log so far (JSON lines). */
  lossesJsonl: string;
  /** New preview files, relative paths under previews/. */
  previews: Record<string, Uint8Array>;
  /** Carry the newest earlier previews over from the folder (false when it holds another run, e.g. under --force). */
  keepEarlierPreviews: boolean;
}

export async function saveNoteCheckpoint(dir: string, options: SaveNoteCheckpointOptions): Promise<void> {
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
      keep: options.keepEarlierPreviews ? await recentPreviewDirs(dir, PREVIEW_CHECKPOINTS_KEPT - 1) : [],
    });
  } finally {
    tf.dispose(weights);
    tf.dispose(training);
  }
}

export interface LoadedNoteCheckpoint {
  spec: NoteModelSpec;
  config: NoteTrainConfig;
  metadata: ModelMetadata;
  state: NoteTrainingState;
  weights: tf.NamedTensorMap;
  trainingWeights: tf.NamedTensorMap;
  /** losses.jsonl lines up to the checkpoint's step. */
  lossesJsonl: string;
}

/** Reads everything `--resume` needs; the caller disposes the two weight maps. */
export async function loadNoteCheckpoint(dir: string): Promise<LoadedNoteCheckpoint> {
  const folder = await loadModelFolder(dir, { training: true });
  try {
    if (folder.metadata.kind !== 'notes') throw new StudioError('BAD_INPUT', `${dir} holds a "${folder.metadata.kind}" model, not a note model`);
    const spec = parseNoteModelSpec(folder.spec, path.join(dir, 'spec.json'));
    const config = parseNoteTrainConfig(folder.metadata.config, path.join(dir, 'metadata.json'));
    const parsed = trainingStateSchema.safeParse(folder.training!.state);
    if (!parsed.success) throw new StudioError('BAD_FILE', `${path.join(dir, 'training/state.json')}: ${parsed.error.issues[0]!.message}`);
    const lossesPath = path.join(folder.dir, LOSSES_FILE);
    const allLosses = existsSync(lossesPath) ? await fs.readFile(lossesPath, 'utf8') : '';
    const lossesJsonl = allLosses
      .split('\n')
      .filter((line) => line.trim() && lineStep(line) <= parsed.data.step)
      .map((line) => line + '\n')
      .join('');
    return {
      spec,
      config,
      metadata: folder.metadata,
      state: parsed.data as NoteTrainingState,
      weights: folder.weights,
      trainingWeights: folder.training!.weights,
      lossesJsonl,
    };
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
