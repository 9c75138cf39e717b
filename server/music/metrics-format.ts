/**
 * A human-readable table of MuseGAN metrics, one column per set of loops ("data", "model", ...), laid out like
 * the paper's tables so a model's figures can be read beside its training data's.
 */
import { TRACK_FAMILIES } from './families.js';
import type { LoopMetrics, TrackMetrics } from './metrics.js';

const TRACK_ROWS: { label: string; key: keyof TrackMetrics; digits: number }[] = [
  { label: 'EB  empty bars (%)', key: 'emptyBarsPercent', digits: 1 },
  { label: 'UPC pitch classes/bar', key: 'usedPitchClassesPerBar', digits: 2 },
  { label: 'QN  qualified notes (%)', key: 'qualifiedNotesPercent', digits: 1 },
  { label: 'DP  drum pattern (%)', key: 'drumPatternPercent', digits: 1 },
];

function cell(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}

/** Formats one or more metric sets side by side; sets are keyed by column title. */
export function formatLoopMetrics(sets: Record<string, LoopMetrics>): string {
  const names = Object.keys(sets);
  const rows: string[][] = [['', ...names], ['loops', ...names.map((n) => String(sets[n]!.loops))]];
  for (const { label, key, digits } of TRACK_ROWS) {
    for (const family of TRACK_FAMILIES) {
      const values = names.map((n) => sets[n]!.tracks[family][key]);
      if (values.every((v) => v === null)) continue;
      rows.push([`${label} ${family}`, ...values.map((v) => cell(v, digits))]);
    }
  }
  const pairs = Object.keys(sets[names[0]!]?.tonalDistance ?? {});
  for (const pair of pairs) rows.push([`TD  tonal distance ${pair}`, ...names.map((n) => cell(sets[n]!.tonalDistance[pair], 3))]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ')).join('\n');
}
