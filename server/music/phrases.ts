/**
 * Cuts a parsed MIDI file into phrases: windows of N whole 4/4 bars on the file's own bar lines, each quantised
 * to a multitrack roll. Tracks of one family are merged by union (a cell is on if any merged note covers it).
 */
import { barsOf, averageTempoBpm, quartersPerBar, type Bar } from './bar-grid.js';
import { TRACK_FAMILIES, TRACK_COUNT, type TrackFamily } from './families.js';
import type { MidiNote, ParsedMidi } from './midi-in.js';
import { emptyRoll, rollIndex, type MultitrackRoll } from './roll.js';

export interface PhraseOptions {
  /** Bars per phrase. */
  bars: number;
  /** Time steps per bar (48 = 12 per quarter note in 4/4, MuseGAN's default). */
  stepsPerBar: number;
  lowestPitch: number;
  pitchCount: number;
  /** Quarter notes per bar of the bars that are used (4: 4/4 and 2/2). Other metres are skipped with a reason. */
  beatsPerBar: number;
  /** Bars between phrase starts; defaults to `bars` (no overlap). */
  hopBars?: number;
  /** Phrases with fewer non-empty tracks are skipped (1 = skip only silent phrases). */
  minTracks: number;
  /** Keep note velocities in `roll.velocities`. */
  keepVelocities: boolean;
  /** Drum hits occupy one step whatever their MIDI length, so fast hits never merge into one long note. */
  drumsAsOnsets: boolean;
  /** Longest file, in bars, that is accepted. */
  maxBars: number;
}

export const defaultPhraseOptions: PhraseOptions = {
  bars: 4,
  stepsPerBar: 48,
  lowestPitch: 24,
  pitchCount: 84,
  beatsPerBar: 4,
  minTracks: 1,
  keepVelocities: true,
  drumsAsOnsets: true,
  maxBars: 20_000,
};

export interface PhraseInfo {
  /** The file name the phrase comes from, as given to midiToPhrases. */
  source: string;
  /** Index of the phrase's first bar in the file's bar grid. */
  barOffset: number;
  /** Average tempo over the phrase (quarter notes per minute), following the file's tempo map. */
  tempoBpm: number;
  /** Families with at least one note, in TRACK_FAMILIES order. */
  families: TrackFamily[];
}

export type Phrase = PhraseInfo & MultitrackRoll;

export interface SkippedStretch {
  source: string;
  reason: string;
  barOffset?: number;
  bars?: number;
}

export interface PhraseResult {
  phrases: Phrase[];
  skipped: SkippedStretch[];
}

interface FamilyNotes {
  track: number;
  notes: MidiNote[];
  /** Longest note, in ticks: how far back a window must look for notes still sounding. */
  maxLengthTicks: number;
}

function groupByFamily(parsed: ParsedMidi): FamilyNotes[] {
  const groups: FamilyNotes[] = [];
  for (let t = 0; t < TRACK_COUNT; t++) {
    const family = TRACK_FAMILIES[t]!;
    const notes = parsed.tracks.filter((track) => track.family === family).flatMap((track) => track.notes);
    if (notes.length === 0) continue;
    notes.sort((a, b) => a.startTick - b.startTick);
    const maxLengthTicks = notes.reduce((m, n) => Math.max(m, n.endTick - n.startTick), 0);
    groups.push({ track: t, notes, maxLengthTicks });
  }
  return groups;
}

/** First index whose startTick >= tick. */
function lowerBound(notes: MidiNote[], tick: number): number {
  let lo = 0;
  let hi = notes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (notes[mid]!.startTick < tick) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Quantises the notes sounding in the window into `roll`; returns which tracks received a note. */
function fillWindow(roll: MultitrackRoll, groups: FamilyNotes[], startTick: number, stepTicks: number, options: PhraseOptions): boolean[] {
  const filled = TRACK_FAMILIES.map(() => false);
  const totalSteps = roll.bars * roll.stepsPerBar;
  const endTick = startTick + totalSteps * stepTicks;
  for (const group of groups) {
    const isDrums = TRACK_FAMILIES[group.track] === 'drums';
    const asOnsets = isDrums && options.drumsAsOnsets;
    const from = lowerBound(group.notes, startTick - (asOnsets ? stepTicks : group.maxLengthTicks + stepTicks));
    for (let i = from; i < group.notes.length; i++) {
      const note = group.notes[i]!;
      if (note.startTick >= endTick + stepTicks) break;
      const pitchIndex = note.midiPitch - roll.lowestPitch;
      if (pitchIndex < 0 || pitchIndex >= roll.pitchCount) continue;
      const s = Math.round((note.startTick - startTick) / stepTicks);
      const e = asOnsets ? s + 1 : Math.max(s + 1, Math.round((note.endTick - startTick) / stepTicks));
      if (asOnsets && s < 0) continue;
      for (let step = Math.max(0, s); step < Math.min(e, totalSteps); step++) {
        const cell = rollIndex(roll, 0, step, pitchIndex, group.track);
        roll.data[cell] = 1;
        filled[group.track] = true;
        if (roll.velocities) roll.velocities[cell] = Math.max(roll.velocities[cell]!, note.velocity);
      }
    }
  }
  return filled;
}

function isUsable(bar: Bar, beatsPerBar: number): boolean {
  return bar.complete && quartersPerBar(bar.numerator, bar.denominator) === beatsPerBar;
}

/** Splits bar indices into maximal runs of usable / unusable bars. */
function runsOf(bars: Bar[], beatsPerBar: number): { start: number; end: number; usable: boolean }[] {
  const runs: { start: number; end: number; usable: boolean }[] = [];
  for (let i = 0; i < bars.length; i++) {
    const usable = isUsable(bars[i]!, beatsPerBar);
    const last = runs[runs.length - 1];
    if (last && last.usable === usable && last.end === i) last.end = i + 1;
    else runs.push({ start: i, end: i + 1, usable });
  }
  return runs;
}

function describeUnusable(bars: Bar[], start: number, end: number, beatsPerBar: number): string {
  const metres = [...new Set(bars.slice(start, end).map((b) => (b.complete ? `${b.numerator}/${b.denominator}` : 'cut short by a metre change')))];
  const range = end - start === 1 ? `bar ${start}` : `bars ${start}-${end - 1}`;
  return `${range}: ${metres.join(', ')} (only bars of ${beatsPerBar} quarter notes are used)`;
}

export function cutPhrases(parsed: ParsedMidi, options: PhraseOptions): PhraseResult {
  const source = parsed.name;
  const bars = barsOf(parsed.timeSignatures, parsed.ticksPerQuarter, parsed.endTick, source, { maxBars: options.maxBars });
  const groups = groupByFamily(parsed);
  const hop = options.hopBars ?? options.bars;
  const phrases: Phrase[] = [];
  const skipped: SkippedStretch[] = [];
  if (groups.length === 0) {
    skipped.push({ source, reason: 'no track maps to a family (only sound-effect or percussive programs)' });
    return { phrases, skipped };
  }
  for (const run of runsOf(bars, options.beatsPerBar)) {
    if (!run.usable) {
      skipped.push({ source, reason: describeUnusable(bars, run.start, run.end, options.beatsPerBar), barOffset: run.start, bars: run.end - run.start });
      continue;
    }
    let coveredEnd = run.start;
    for (let w = run.start; w + options.bars <= run.end; w += hop) {
      coveredEnd = w + options.bars;
      const first = bars[w]!;
      const stepTicks = first.lengthTicks / options.stepsPerBar;
      const startTick = first.startTick;
      const endTick = startTick + options.bars * first.lengthTicks;
      const tempoBpm = Math.round(averageTempoBpm(parsed.tempos, parsed.ticksPerQuarter, startTick, endTick) * 100) / 100;
      const roll = emptyRoll({ ...options, tempoBpm, beatsPerBar: options.beatsPerBar });
      if (options.keepVelocities) roll.velocities = new Uint8Array(roll.data.length);
      const filled = fillWindow(roll, groups, startTick, stepTicks, options);
      const families = TRACK_FAMILIES.filter((_, t) => filled[t]);
      if (families.length === 0) {
        skipped.push({ source, reason: 'no notes', barOffset: w, bars: options.bars });
      } else if (families.length < options.minTracks) {
        skipped.push({
          source,
          reason: `only ${families.length} of ${TRACK_COUNT} tracks have notes (${families.join(', ')}); at least ${options.minTracks} wanted`,
          barOffset: w,
          bars: options.bars,
        });
      } else {
        phrases.push({ ...roll, source, barOffset: w, tempoBpm, families });
      }
    }
    if (coveredEnd < run.end) {
      const left = run.end - coveredEnd;
      skipped.push({ source, reason: `${left} bar(s) left over, fewer than a ${options.bars}-bar phrase`, barOffset: coveredEnd, bars: left });
    }
  }
  return { phrases, skipped };
}
