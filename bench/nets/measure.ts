/** Timing loops shaped like torch_reference.py's `measure`: warm-ups, then timed steps, median, wall-clock cap. */

export interface Timing {
  medianMs: number | null;
  /** Median process CPU time per step (all threads): steadier than wall time on a busy machine. */
  cpuMedianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  n: number;
  warmup: number;
  capped: boolean;
  /** Process CPU time / wall time (all threads): ~1 means one core busy. */
  cpuUtil: number;
  wallMs: number;
}

export interface MeasureOptions {
  warmup: number;
  iters: number;
  /** Stop starting new steps after this long (the reference uses 120 s). */
  capSeconds: number;
  /** Called after each step with its index and duration. */
  onStep?: (index: number, ms: number) => void;
}

export const MEASURE_DEFAULTS: MeasureOptions = { warmup: 3, iters: 10, capSeconds: 120 };

export async function measure(fn: () => unknown, options: Partial<MeasureOptions> = {}): Promise<Timing> {
  const o = { ...MEASURE_DEFAULTS, ...options };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let warm = 0;
  let capped = false;
  for (let i = 0; warm + times.length < o.warmup + o.iters; i++) {
    const elapsed = performance.now() - t0;
    // Past the cap, stop, but never before one timed step (a slow backend still gets a figure).
    if (elapsed > o.capSeconds * 1000 && times.length > 0) {
      capped = true;
      break;
    }
    // Short of time, cut the warm-ups (after the first, which pays one-off costs).
    const warming = warm < o.warmup && !(warm > 0 && elapsed > (o.capSeconds * 1000) / 2);
    const s = performance.now();
    const c = process.cpuUsage();
    await fn();
    const ms = performance.now() - s;
    const used = process.cpuUsage(c);
    o.onStep?.(i, ms);
    if (warming) warm++;
    else {
      times.push(ms);
      cpuTimes.push((used.user + used.system) / 1000);
    }
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    medianMs: times.length ? round(median(times)) : null,
    cpuMedianMs: cpuTimes.length ? round(median(cpuTimes)) : null,
    minMs: times.length ? round(Math.min(...times)) : null,
    maxMs: times.length ? round(Math.max(...times)) : null,
    n: times.length,
    warmup: warm,
    capped,
    cpuUtil: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100,
    wallMs: Math.round(wallMs),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
