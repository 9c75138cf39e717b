/**
 * Where a loop's notes go on the piano-roll canvas: one lane per track, stacked, each spanning the pitches that
 * track uses (at least an octave, drums at least their used hits), lane heights shared by pitch span with a floor
 * so a sparse track stays readable. Pure geometry in CSS pixels.
 */
import type { LoopRollJson, TrackName } from '../../../server/protocol.js';

export interface Lane {
  track: TrackName;
  top: number;
  height: number;
  lowPitch: number;
  highPitch: number;
  /** Height of one pitch row. */
  rowHeight: number;
}

export interface RollLayout {
  width: number;
  height: number;
  /** Left margin holding the lane labels. */
  gutter: number;
  totalSteps: number;
  stepWidth: number;
  lanes: Lane[];
}

export interface RollLayoutOptions {
  width: number;
  height: number;
  gutter?: number;
  /** Space between lanes. */
  laneGap?: number;
  minLaneHeight?: number;
  minPitchSpan?: number;
}

export function layoutRoll(roll: LoopRollJson, options: RollLayoutOptions): RollLayout {
  const gutter = options.gutter ?? 64;
  const laneGap = options.laneGap ?? 4;
  const minLaneHeight = options.minLaneHeight ?? 28;
  const minSpan = options.minPitchSpan ?? 12;
  const totalSteps = roll.bars * roll.stepsPerBar;
  const spans = roll.tracks.map((track) => {
    const pitches = track.notes.map((n) => n.pitch);
    let low = pitches.length ? Math.min(...pitches) : roll.lowestPitch + Math.floor(roll.pitchCount / 2) - 6;
    let high = pitches.length ? Math.max(...pitches) : low + minSpan - 1;
    const span = track.isDrum ? Math.max(4, high - low + 1) : Math.max(minSpan, high - low + 1);
    // Centre a widened range on the notes.
    const extra = span - (high - low + 1);
    low -= Math.floor(extra / 2);
    high = low + span - 1;
    return { track: track.name, low, high, span };
  });
  const usable = Math.max(0, options.height - laneGap * Math.max(0, spans.length - 1));
  // Empty tracks keep a lane (so the layout does not jump) but only the minimum height.
  const weight = (s: (typeof spans)[number]) => (roll.tracks.find((t) => t.name === s.track)!.notes.length > 0 ? s.span : 0);
  const totalSpan = spans.reduce((sum, s) => sum + weight(s), 0) || 1;
  // Floor first, then share what is left by span.
  const floorTotal = minLaneHeight * spans.length;
  const share = Math.max(0, usable - floorTotal);
  let top = 0;
  const lanes: Lane[] = spans.map((s) => {
    const height = floorTotal > usable ? usable / spans.length : minLaneHeight + (share * weight(s)) / totalSpan;
    const lane = { track: s.track, top, height, lowPitch: s.low, highPitch: s.high, rowHeight: height / s.span };
    top += height + laneGap;
    return lane;
  });
  return { width: options.width, height: options.height, gutter, totalSteps, stepWidth: (options.width - gutter) / Math.max(1, totalSteps), lanes };
}

/** The rectangle of one note in its lane. */
export function noteRect(layout: RollLayout, lane: Lane, note: { pitch: number; startStep: number; endStep: number }): { x: number; y: number; w: number; h: number } {
  const x = layout.gutter + note.startStep * layout.stepWidth;
  const w = Math.max(1, (note.endStep - note.startStep) * layout.stepWidth - 1);
  const row = lane.highPitch - note.pitch;
  return { x, y: lane.top + row * lane.rowHeight, w, h: Math.max(1, lane.rowHeight - (lane.rowHeight > 3 ? 1 : 0)) };
}

/** The x of a position in bars (for bar lines and the playhead). */
export function barX(layout: RollLayout, bar: number, stepsPerBar: number): number {
  return layout.gutter + bar * stepsPerBar * layout.stepWidth;
}
