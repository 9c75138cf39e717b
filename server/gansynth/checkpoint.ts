/**
 * A note model's checkpoint (server/training/checkpoint-files.ts): generator weights for inference, discriminator and
 * both Adam states for `--resume`, the step / data-order / RNG state, losses.jsonl and preview WAVs.
 */
import { z } from 'zod';
import { loadGanCheckpoint, saveGanCheckpoint, type LoadedGanCheckpoint, type SaveGanCheckpointOptions } from '../training/checkpoint-files.js';
import { parseNoteModelSpec, type NoteModelSpec } from './spec.js';
import { parseNoteTrainConfig, type NoteTrainConfig } from './train-config.js';
import type { NoteGan } from './note-gan.js';
import type { BatchSamplerState } from './batch-sampler.js';
import type { RandomState } from '../ml/random.js';

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

/** Checkpoints whose preview WAVs stay in the folder (older ones are dropped to keep it small). */
export const PREVIEW_CHECKPOINTS_KEPT = 4;

export interface SaveNoteCheckpointOptions extends Omit<SaveGanCheckpointOptions, 'gan' | 'state' | 'previewCheckpointsKept'> {
  gan: NoteGan;
  state: NoteTrainingState;
}

export async function saveNoteCheckpoint(dir: string, options: SaveNoteCheckpointOptions): Promise<void> {
  await saveGanCheckpoint(dir, { ...options, previewCheckpointsKept: PREVIEW_CHECKPOINTS_KEPT });
}

export type LoadedNoteCheckpoint = LoadedGanCheckpoint<NoteModelSpec, NoteTrainConfig, NoteTrainingState>;

/** Reads everything `--resume` needs; the caller disposes the two weight maps. */
export async function loadNoteCheckpoint(dir: string): Promise<LoadedNoteCheckpoint> {
  return loadGanCheckpoint(dir, {
    kind: 'notes',
    modelName: 'note model',
    parseSpec: parseNoteModelSpec,
    parseConfig: parseNoteTrainConfig,
    stateSchema: trainingStateSchema as z.ZodType<NoteTrainingState>,
  });
}
