/**
 * What the server measures about itself: event-loop delay (perf_hooks histogram, lateness in ms), memory, connections and the
 * inference batch sizes. GET /api/stats shows it; `?reset=1` starts a new measuring window (the bench uses it).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { InferencePool } from '../registry/inference-pool.js';

export interface StatsSnapshot {
  windowSeconds: number;
  eventLoopDelayMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  memory: { rssMb: number; heapUsedMb: number; peakRssMb: number };
  connections: number;
  /** Inference batches of the window: how many, their size, and the worker's time per batch (model compute). */
  batches: { count: number; meanSize: number; maxSize: number; meanMs: number };
  backend: string | null;
}

/**
 * The histogram samples the loop every RESOLUTION_MS and records the whole interval, so an idle loop reads ~10 ms;
 * the figures reported are the lateness beyond it (as Fastify's under-pressure reports them).
 */
const RESOLUTION_MS = 10;

export class ServerStats {
  private readonly histogram: IntervalHistogram;
  private windowStart = Date.now();
  /** Batch totals when the window started. */
  private batchesAtStart = { batches: 0, items: 0, busyMs: 0 };
  private peakRss = 0;
  private readonly rssTimer: NodeJS.Timeout;
  connections = 0;

  constructor(private readonly pool: InferencePool) {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.rssTimer = setInterval(() => this.samplePeak(), 500);
    this.rssTimer.unref();
  }

  snapshot(reset = false): StatsSnapshot {
    this.samplePeak();
    const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
    const h = this.histogram;
    const memory = process.memoryUsage();
    const totals = this.pool.batchTotals(reset);
    // A reloaded model (or a restarted worker) starts its batchers afresh: never report negative counts.
    const batches = Math.max(0, totals.batches - this.batchesAtStart.batches);
    const items = Math.max(0, totals.items - this.batchesAtStart.items);
    const busyMs = Math.max(0, totals.busyMs - this.batchesAtStart.busyMs);
    const snapshot: StatsSnapshot = {
      windowSeconds: Math.round((Date.now() - this.windowStart) / 100) / 10,
      eventLoopDelayMs: {
        p50: ms(h.percentile(50)), p95: ms(h.percentile(95)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(Number.isNaN(h.mean) ? 0 : h.mean),
      },
      memory: { rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), peakRssMb: mb(this.peakRss) },
      connections: this.connections,
      batches: {
        count: batches,
        meanSize: batches ? Math.round((items / batches) * 100) / 100 : 0,
        maxSize: totals.maxSize,
        meanMs: batches ? Math.round((busyMs / batches) * 10) / 10 : 0,
      },
      backend: this.pool.backend,
    };
    if (reset) {
      this.batchesAtStart = { batches: totals.batches, items: totals.items, busyMs: totals.busyMs };
      this.histogram.reset();
      this.windowStart = Date.now();
      this.peakRss = process.memoryUsage().rss;
    }
    return snapshot;
  }

  close(): void {
    this.histogram.disable();
    clearInterval(this.rssTimer);
  }

  private samplePeak(): void {
    this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 102.4) / 10;
}
