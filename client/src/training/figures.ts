/**
 * Numbers on the training page: durations, rates, progress, and the axes of the loss chart. Pure.
 */

/** 3725 -> "1 h 02 min", 95 -> "1 min 35 s", 8 -> "8 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const hours = Math.floor(s / 3600);
  return `${hours} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Progress as a fraction in [0, 1], or null when the job has not said how much work there is. */
export function progressFraction(progress: { done: number; total: number } | null | undefined): number | null {
  if (!progress || !(progress.total > 0) || !Number.isFinite(progress.done)) return null;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

/** A loss for a table cell: 4 significant digits, exponent form for tiny or huge values. */
export function formatLoss(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(2);
  return value.toPrecision(4).replace(/\.?0+$/, '');
}

export interface AxisScale {
  min: number;
  max: number;
  ticks: number[];
}

/** A y axis covering `values` with about `count` round ticks (1, 2 or 5 times a power of ten apart). */
export function niceAxis(values: readonly number[], count = 5): AxisScale {
  const finite = values.filter((v) => Number.isFinite(v));
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { min, max, ticks };
}

/** The names of the loss series in a history (every numeric key but `step`), sorted. */
export function lossSeriesNames(history: readonly Record<string, number>[]): string[] {
  const names = new Set<string>();
  for (const point of history) for (const [k, v] of Object.entries(point)) if (k !== 'step' && typeof v === 'number') names.add(k);
  return [...names].sort();
}
