/**
 * The `--model` part of `studio eval loops`: MuseGAN's metrics of a loop model's free generations, beside the
 * data's, with each figure's distance from the data's relative to the data's value.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../ml/backend.js';
import { readableModelDir } from '../checkpoints/folder.js';
import { writeFileAtomic } from '../util/atomic.js';
import { resolveModelDir } from '../checkpoints/resolve.js';
import type { LoopMetrics } from '../music/metrics.js';
import { LoopModel } from '../musegan/loop-model.js';
import { modelLoopMetrics, relativeGaps, type RelativeGaps } from '../musegan/evaluate.js';
import { compareWithPaper, type PaperComparison } from '../musegan/paper-reference.js';
import type { ProgressCallback } from '../util/progress.js';
import { parseIntegerOption, parseNumberOption } from './generate-note.js';

export interface EvalModelFlags {
  model?: string;
  count?: string;
  seed?: string;
  threshold?: string;
  save?: boolean;
}

/** Checks the model flags before any work (a bad value fails fast). */
export function parseEvalModelFlags(flags: EvalModelFlags): { dir: string; count: number; firstSeed: number; threshold: number } | null {
  if (flags.model === undefined) return null;
  return {
    dir: resolveModelDir(flags.model),
    count: flags.count === undefined ? 1000 : parseIntegerOption('--count', flags.count, 1, 1_000_000),
    firstSeed: flags.seed === undefined ? 0 : parseIntegerOption('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER),
    threshold: flags.threshold === undefined ? 0.5 : parseNumberOption('--threshold', flags.threshold, 0, 0.999999),
  };
}

export async function measureLoopModel(parsed: NonNullable<ReturnType<typeof parseEvalModelFlags>>, onProgress: ProgressCallback): Promise<LoopMetrics> {
  await initBackend();
  const model = await LoopModel.load(parsed.dir);
  try {
    return modelLoopMetrics(model, { count: parsed.count, firstSeed: parsed.firstSeed, threshold: parsed.threshold, onProgress });
  } finally {
    model.dispose();
  }
}

/** The model's figures; with the data's, also each figure's relative gap and how it compares with the MuseGAN paper's hybrid model. */
export function modelReport(data: LoopMetrics | null, model: LoopMetrics): { model: LoopMetrics; relativeGap?: RelativeGaps; paperHybrid?: PaperComparison } {
  if (!data) return { model };
  const relativeGap = relativeGaps(data, model);
  return { model, relativeGap, paperHybrid: compareWithPaper(relativeGap) };
}

/** Records the report as metrics.eval in the model's metadata.json (that one file replaced atomically). */
export async function saveLoopEvaluation(modelDir: string, report: object): Promise<void> {
  const file = path.join(readableModelDir(modelDir), 'metadata.json');
  const metadata = JSON.parse(await fs.readFile(file, 'utf8')) as { metrics?: Record<string, unknown> };
  metadata.metrics = { ...(metadata.metrics ?? {}), eval: { ...report, measuredAt: new Date().toISOString() } };
  await writeFileAtomic(file, JSON.stringify(metadata, null, 2) + '\n');
}
