/**
 * MuseGAN's metrics of a loop model's free generations (seeds 0..count-1), and how far each figure is from the
 * training data's, relative to the data's value: the comparison the MuseGAN paper makes for its models.
 */
import { LoopMetricsAccumulator, type LoopMetrics, type TrackMetrics } from '../music/metrics.js';
import type { ProgressCallback } from '../util/progress.js';
import type { LoopModel } from './loop-model.js';

export interface ModelMetricsOptions {
  /** Loops generated (seeds firstSeed .. firstSeed+count-1). */
  count: number;
  firstSeed: number;
  threshold: number;
  /** Loops per forward pass. */
  batch: number;
  onProgress?: ProgressCallback;
}

export const MODEL_METRICS_DEFAULTS: ModelMetricsOptions = { count: 1000, firstSeed: 0, threshold: 0.5, batch: 16 };

export function modelLoopMetrics(model: LoopModel, options: Partial<ModelMetricsOptions> = {}): LoopMetrics {
  const o = { ...MODEL_METRICS_DEFAULTS, ...options };
  const acc = new LoopMetricsAccumulator();
  for (let done = 0; done < o.count; done += o.batch) {
    const n = Math.min(o.batch, o.count - done);
    const rolls = model.generateMany(Array.from({ length: n }, (_, i) => ({ seed: o.firstSeed + done + i, threshold: o.threshold, bars: model.spec.bars })));
    for (const roll of rolls) acc.add(roll);
    o.onProgress?.({ done: done + n, total: o.count, phase: 'generating loops' });
  }
  return acc.result();
}

/** |model - data| / |data| per figure (null where either is missing or the data's value is 0). */
export interface RelativeGaps {
  tracks: Record<string, Partial<Record<keyof TrackMetrics, number | null>>>;
  tonalDistance: Record<string, number | null>;
}

export function relativeGaps(data: LoopMetrics, model: LoopMetrics): RelativeGaps {
  const gap = (d: number | null | undefined, m: number | null | undefined) => (d === null || d === undefined || m === null || m === undefined || d === 0 ? null : Math.abs(m - d) / Math.abs(d));
  const tracks: RelativeGaps['tracks'] = {};
  for (const [family, figures] of Object.entries(data.tracks)) {
    const row: Partial<Record<keyof TrackMetrics, number | null>> = {};
    for (const key of Object.keys(figures) as (keyof TrackMetrics)[]) {
      if (figures[key] === null) continue;
      row[key] = gap(figures[key], model.tracks[family as keyof typeof model.tracks]?.[key]);
    }
    tracks[family] = row;
  }
  const tonalDistance: Record<string, number | null> = {};
  for (const [pair, d] of Object.entries(data.tonalDistance)) tonalDistance[pair] = gap(d, model.tonalDistance[pair]);
  return { tracks, tonalDistance };
}
