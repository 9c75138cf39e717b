/**
 * The yardstick issue 6 sets for a loop model: MuseGAN's own hybrid model (trained from scratch) against its own
 * training data, from the intra-track table of Dong et al. 2018 (AAAI), "MuseGAN: Multi-track Sequential GANs".
 * A model passes a figure when its distance from our training data, relative to the data's value, is no larger
 * than the paper's hybrid model's distance from the paper's data, relative to that data's value.
 * Tonal distance comes from the paper's inter-track table (Table 2, "smaller values are better"): the hybrid model
 * generating from scratch had lower TD than its data on every pair, by 13-23%.
 */
import type { TrackFamily } from '../music/families.js';
import type { TrackMetrics } from '../music/metrics.js';
import type { RelativeGaps } from './evaluate.js';

type Figure = keyof TrackMetrics;
type PaperRow = Partial<Record<TrackFamily, number>>;

/** Training data and hybrid model, per figure and track (the paper has no UPC or QN for drums, DP only for drums). */
export const MUSEGAN_PAPER_TABLE: Record<Figure, { data: PaperRow; hybrid: PaperRow }> = {
  emptyBarsPercent: {
    data: { bass: 8.06, drums: 8.06, guitar: 19.4, piano: 24.8, strings: 10.1 },
    hybrid: { bass: 2.14, drums: 29.7, guitar: 11.7, piano: 17.8, strings: 6.04 },
  },
  usedPitchClassesPerBar: {
    data: { bass: 1.71, guitar: 3.08, piano: 3.28, strings: 3.38 },
    hybrid: { bass: 2.35, guitar: 4.76, piano: 5.45, strings: 5.24 },
  },
  qualifiedNotesPercent: {
    data: { bass: 90.0, guitar: 81.9, piano: 88.4, strings: 89.6 },
    hybrid: { bass: 44.6, guitar: 43.2, piano: 45.5, strings: 52.0 },
  },
  drumPatternPercent: {
    data: { drums: 88.6 },
    hybrid: { drums: 71.3 },
  },
};

/** Tonal distance per pair of tracks (our pair names), training data and hybrid model from scratch. */
export const MUSEGAN_PAPER_TONAL_DISTANCE: { data: Record<string, number>; hybrid: Record<string, number> } = {
  data: { 'bass-guitar': 1.57, 'bass-strings': 1.58, 'bass-piano': 1.51, 'guitar-strings': 1.1, 'piano-guitar': 1.02, 'piano-strings': 1.04 },
  hybrid: { 'bass-guitar': 1.34, 'bass-strings': 1.35, 'bass-piano': 1.32, 'guitar-strings': 0.85, 'piano-guitar': 0.85, 'piano-strings': 0.83 },
};

/** |hybrid - data| / data of the paper's tonal distance for a pair ("bass-piano"), or null for an unknown pair. */
export function paperTonalDistanceGap(pair: string): number | null {
  const d = MUSEGAN_PAPER_TONAL_DISTANCE.data[pair];
  const h = MUSEGAN_PAPER_TONAL_DISTANCE.hybrid[pair];
  return d === undefined || h === undefined ? null : Math.abs(h - d) / d;
}

/** |hybrid - data| / data in the paper, per figure and track. */
export function paperRelativeGap(figure: Figure, track: TrackFamily): number | null {
  const { data, hybrid } = MUSEGAN_PAPER_TABLE[figure];
  const d = data[track];
  const h = hybrid[track];
  return d === undefined || h === undefined || d === 0 ? null : Math.abs(h - d) / Math.abs(d);
}

export interface PaperComparisonRow {
  /** A track, or a pair of tracks ("bass-piano") for tonal distance. */
  track: string;
  figure: Figure | 'tonalDistance';
  /** Our model's gap from our data, relative to the data's value. */
  ours: number;
  /** The paper's hybrid model's gap from its data, relative to that data's value. */
  paperHybrid: number;
  closer: boolean;
}

export interface PaperComparison {
  rows: PaperComparisonRow[];
  /** Figures where ours is as close or closer. */
  closer: number;
  /** Figures compared (both gaps known). */
  compared: number;
}

/** Our relative gaps beside the paper hybrid's, for every figure both have. */
export function compareWithPaper(gaps: RelativeGaps): PaperComparison {
  const rows: PaperComparisonRow[] = [];
  for (const [track, figures] of Object.entries(gaps.tracks) as [TrackFamily, RelativeGaps['tracks'][string]][]) {
    for (const [figure, ours] of Object.entries(figures) as [Figure, number | null][]) {
      const paperHybrid = paperRelativeGap(figure, track);
      if (ours === null || ours === undefined || paperHybrid === null) continue;
      rows.push({ track, figure, ours, paperHybrid, closer: ours <= paperHybrid });
    }
  }
  for (const [pair, ours] of Object.entries(gaps.tonalDistance)) {
    const paperHybrid = paperTonalDistanceGap(pair);
    if (ours === null || ours === undefined || paperHybrid === null) continue;
    rows.push({ track: pair, figure: 'tonalDistance', ours, paperHybrid, closer: ours <= paperHybrid });
  }
  return { rows, closer: rows.filter((r) => r.closer).length, compared: rows.length };
}

/** A table: each figure's relative gap, ours beside the paper hybrid's, and whether ours is closer. */
export function formatPaperComparison(comparison: PaperComparison): string {
  const lines = ['relative gap from the data   ours   MuseGAN hybrid', ...comparison.rows.map((r) => `${`${r.figure} ${r.track}`.padEnd(30)} ${r.ours.toFixed(2).padStart(5)}   ${r.paperHybrid.toFixed(2).padStart(5)}  ${r.closer ? 'closer' : 'FARTHER'}`)];
  lines.push(`closer than the paper's hybrid model on ${comparison.closer} of ${comparison.compared} figures`);
  return lines.join('\n');
}
