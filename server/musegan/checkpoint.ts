/**
 * A loop model's checkpoint (server/training/checkpoint-files.ts): generator (+ conditional encoder) weights for
 * inference, critic and both Adam states for `--resume`, the step, losses.jsonl and preview MIDI loops.
 * Every random draw of training is a function of (seed, step), so the step is all the run state there is.
 */
import { z } from 'zod';
import { loadGanCheckpoint, saveGanCheckpoint, type LoadedGanCheckpoint, type SaveGanCheckpointOptions } from '../training/checkpoint-files.js';
import { parseLoopSpec, type LoopSpec } from './spec.js';
import { parseLoopTrainConfig, type LoopTrainConfig } from './train-config.js';
import type { LoopGan } from './loop-gan.js';

const trainingStateSchema = z.object({
  step: z.number().int().min(0),
  /** Wall-clock seconds of training so far, over all sessions. */
  trainingSeconds: z.number().min(0),
});
export type LoopTrainingState = z.infer<typeof trainingStateSchema>;

/** Checkpoints whose preview loops stay in the folder (older ones are dropped to keep it small). */
export const PREVIEW_CHECKPOINTS_KEPT = 5;

export interface SaveLoopCheckpointOptions extends Omit<SaveGanCheckpointOptions, 'gan' | 'state' | 'previewCheckpointsKept' | 'keepEarlierPreviews'> {
  gan: LoopGan;
  state: LoopTrainingState;
}

export async function saveLoopCheckpoint(dir: string, options: SaveLoopCheckpointOptions): Promise<void> {
  await saveGanCheckpoint(dir, { ...options, previewCheckpointsKept: PREVIEW_CHECKPOINTS_KEPT, keepEarlierPreviews: true });
}

export type LoadedLoopCheckpoint = LoadedGanCheckpoint<LoopSpec, LoopTrainConfig, LoopTrainingState>;

/** Reads everything `--resume` needs; the caller disposes the two weight maps. */
export async function loadLoopCheckpoint(dir: string): Promise<LoadedLoopCheckpoint> {
  return loadGanCheckpoint(dir, { kind: 'loops', modelName: 'loop model', parseSpec: parseLoopSpec, parseConfig: parseLoopTrainConfig, stateSchema: trainingStateSchema });
}
