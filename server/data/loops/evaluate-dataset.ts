/** MuseGAN metrics of a loop dataset folder, streamed segment by segment. */
import { LoopMetricsAccumulator, type LoopMetrics, type LoopMetricsOptions } from '../../music/metrics.js';
import type { ProgressCallback } from '../../util/progress.js';
import { readLoopDataset } from './loop-dataset.js';

export interface DatasetMetricsOptions extends LoopMetricsOptions {
  /** Measure at most this many segments, evenly spread over the dataset (default: all). */
  limit?: number;
  onProgress?: ProgressCallback;
}

export function datasetLoopMetrics(dir: string, options: DatasetMetricsOptions = {}): LoopMetrics {
  const dataset = readLoopDataset(dir);
  const n = Math.min(dataset.count, options.limit ?? dataset.count);
  const acc = new LoopMetricsAccumulator(options);
  for (let k = 0; k < n; k++) {
    const i = n === dataset.count ? k : Math.floor((k * dataset.count) / n);
    acc.add(dataset.getRoll(i));
    if (k % 256 === 0) options.onProgress?.({ done: k, total: n, phase: 'measuring loops' });
  }
  options.onProgress?.({ done: n, total: n, phase: 'measuring loops' });
  return acc.result();
}
