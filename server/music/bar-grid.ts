/**
 * Bar lines and tempo from a MIDI file's own time-signature and tempo maps, in ticks, so that phrases start on
 * real bar lines even when the metre or the tempo changes mid-song.
 */
import { StudioError } from '../util/errors.js';

export interface TimeSignatureChange {
  ticks: number;
  numerator: number;
  denominator: number;
}

export interface TempoChange {
  ticks: number;
  bpm: number;
}

export interface Bar {
  startTick: number;
  lengthTicks: number;
  numerator: number;
  denominator: number;
  /** False when a time-signature change cuts the bar short. */
  complete: boolean;
}

export interface BarGridOptions {
  /** A file longer than this many bars is refused (a stray event far in the future would otherwise cost memory). */
  maxBars: number;
}

export const defaultBarGridOptions: BarGridOptions = { maxBars: 20_000 };

/** Length of a bar in quarter notes (4/4 -> 4, 6/8 -> 3, 2/2 -> 4). */
export function quartersPerBar(numerator: number, denominator: number): number {
  return (numerator * 4) / denominator;
}

/**
 * The bars covering ticks [0, endTick). MIDI's default before any time signature is 4/4. A change that falls
 * inside a bar ends that bar early (marked incomplete) and starts a new bar grid at the change.
 */
export function barsOf(
  changes: readonly TimeSignatureChange[],
  ticksPerQuarter: number,
  endTick: number,
  name: string,
  options: Partial<BarGridOptions> = {},
): Bar[] {
  const { maxBars } = { ...defaultBarGridOptions, ...options };
  const sorted = [...changes].sort((a, b) => a.ticks - b.ticks);
  for (const c of sorted) {
    if (!(c.numerator >= 1) || !(c.denominator >= 1) || !Number.isFinite(c.ticks) || c.ticks < 0) {
      throw new StudioError('BAD_FILE', `${name}: has an invalid time signature ${c.numerator}/${c.denominator} at tick ${c.ticks}`);
    }
  }
  // Several changes at one tick: the last one counts.
  const segments: TimeSignatureChange[] = [];
  for (const c of sorted) {
    if (segments.length > 0 && segments[segments.length - 1]!.ticks === c.ticks) segments.pop();
    segments.push(c);
  }
  if (segments.length === 0 || segments[0]!.ticks > 0) segments.unshift({ ticks: 0, numerator: 4, denominator: 4 });

  const bars: Bar[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const isLast = i === segments.length - 1;
    const segEnd = isLast ? endTick : segments[i + 1]!.ticks;
    const lengthTicks = ticksPerQuarter * quartersPerBar(seg.numerator, seg.denominator);
    for (let start = seg.ticks; start < segEnd; start += lengthTicks) {
      if (bars.length >= maxBars) {
        throw new StudioError('TOO_LARGE', `${name}: is more than ${maxBars} bars long`);
      }
      bars.push({
        startTick: start,
        lengthTicks,
        numerator: seg.numerator,
        denominator: seg.denominator,
        complete: isLast || start + lengthTicks <= segEnd + 1e-9,
      });
    }
  }
  return bars;
}

/** Average tempo over [startTick, endTick): quarter notes per minute of real time, following the tempo map. */
export function averageTempoBpm(tempos: readonly TempoChange[], ticksPerQuarter: number, startTick: number, endTick: number): number {
  const sorted = tempos.length > 0 ? [...tempos].sort((a, b) => a.ticks - b.ticks) : [{ ticks: 0, bpm: 120 }];
  let seconds = 0;
  for (let i = 0; i < sorted.length; i++) {
    // The first tempo also rules before its own tick (MIDI default would be 120, but files that set a tempo
    // at tick > 0 almost always mean it from the start).
    const from = i === 0 ? -Infinity : sorted[i]!.ticks;
    const to = i + 1 < sorted.length ? sorted[i + 1]!.ticks : Infinity;
    const a = Math.max(from, startTick);
    const b = Math.min(to, endTick);
    if (b > a) seconds += ((b - a) / ticksPerQuarter) * (60 / sorted[i]!.bpm);
  }
  const quarters = (endTick - startTick) / ticksPerQuarter;
  return seconds > 0 ? (quarters * 60) / seconds : sorted[0]!.bpm;
}
