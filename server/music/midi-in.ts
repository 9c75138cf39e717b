/**
 * MIDI in: bytes -> checked, plain note lists per track (parseMidiFile) -> 4/4 phrases of multitrack rolls
 * (midiToPhrases). Parsing goes through @tonejs/midi, guarded: it throws strings and TypeErrors on bad data and
 * yields tracks with a duration of -Infinity from truncated files, so every figure it returns is checked here.
 */
import tonejsMidi from '@tonejs/midi';
import type { Midi } from '@tonejs/midi';
import { StudioError, describeThrown } from '../util/errors.js';
import { averageTempoBpm, type TempoChange, type TimeSignatureChange } from './bar-grid.js';
import { DRUM_CHANNEL, familyOfProgram, type TrackFamily } from './families.js';
import { decodeMidiBytes, readSmfHeader, defaultMidiBytesOptions, type MidiBytesOptions } from './midi-bytes.js';
import { cutPhrases, defaultPhraseOptions, type PhraseOptions, type PhraseResult } from './phrases.js';

const MidiClass: typeof Midi = tonejsMidi.Midi;

export interface MidiReadOptions extends MidiBytesOptions {
  /** Tempos outside [minTempoBpm, maxTempoBpm] mark the file as broken. */
  minTempoBpm: number;
  maxTempoBpm: number;
}

export const defaultMidiReadOptions: MidiReadOptions = {
  ...defaultMidiBytesOptions,
  minTempoBpm: 10,
  maxTempoBpm: 1000,
};

export interface MidiNote {
  midiPitch: number;
  startTick: number;
  /** Exclusive end tick (>= startTick). */
  endTick: number;
  /** MIDI velocity 1-127. */
  velocity: number;
}

export interface MidiTrackNotes {
  name: string;
  /** Zero-based MIDI channel (9 = drums). */
  channel: number;
  program: number;
  /** Family by the LPD-5 rule, or null when the track is dropped (sound effects, percussive programs). */
  family: TrackFamily | null;
  notes: MidiNote[];
}

export interface ParsedMidi {
  name: string;
  format: number;
  ticksPerQuarter: number;
  tempos: TempoChange[];
  timeSignatures: TimeSignatureChange[];
  tracks: MidiTrackNotes[];
  /** End of the last note or the latest End of Track event, in ticks. */
  endTick: number;
  noteCount: number;
}

/** Parses and checks a MIDI file (`.mid`, `.mid.gz`, `.rmi`); throws a StudioError naming `name` on any problem. */
export function parseMidiFile(bytes: Uint8Array, name: string, options: Partial<MidiReadOptions> = {}): ParsedMidi {
  const o = { ...defaultMidiReadOptions, ...options };
  const smf = decodeMidiBytes(bytes, name, o);
  const header = readSmfHeader(smf, name);
  let midi: Midi;
  try {
    midi = new MidiClass(smf);
  } catch (thrown) {
    throw new StudioError('BAD_FILE', `${name}: is corrupt MIDI (${describeThrown(thrown)})`, { cause: thrown });
  }
  const tempos: TempoChange[] = [];
  for (const t of midi.header.tempos) {
    if (!Number.isFinite(t.bpm) || t.bpm < o.minTempoBpm || t.bpm > o.maxTempoBpm) {
      throw new StudioError(
        'BAD_FILE',
        `${name}: has an absurd tempo of ${Number.isFinite(t.bpm) ? t.bpm.toFixed(1) : String(t.bpm)} bpm at tick ${t.ticks} (accepted: ${o.minTempoBpm}-${o.maxTempoBpm})`,
      );
    }
    tempos.push({ ticks: t.ticks, bpm: t.bpm });
  }
  // @tonejs/midi drops a format-1 file's first track when it has no notes: no tracks left means no notes.
  if (midi.tracks.length === 0) throw new StudioError('BAD_FILE', `${name}: contains no notes`);
  const timeSignatures: TimeSignatureChange[] = midi.header.timeSignatures.map((ts) => ({
    ticks: ts.ticks,
    numerator: ts.timeSignature[0] ?? 4,
    denominator: ts.timeSignature[1] ?? 4,
  }));

  const tracks: MidiTrackNotes[] = [];
  let endTick = 0;
  let noteCount = 0;
  for (const track of midi.tracks) {
    // A loop's End of Track marks its length even when its last bars are silent.
    const endOfTrack = track.endOfTrackTicks;
    if (endOfTrack !== undefined && Number.isFinite(endOfTrack) && endOfTrack > endTick) endTick = endOfTrack;
    const notes: MidiNote[] = [];
    for (const n of track.notes) {
      const start = n.ticks;
      const length = n.durationTicks;
      if (!Number.isFinite(start) || start < 0 || !Number.isFinite(length) || length < 0 || !Number.isInteger(n.midi) || n.midi < 0 || n.midi > 127) {
        throw new StudioError('BAD_FILE', `${name}: is corrupt (a note in track "${track.name}" has tick ${start}, length ${length}, pitch ${n.midi})`);
      }
      notes.push({
        midiPitch: n.midi,
        startTick: start,
        endTick: start + length,
        velocity: Math.max(1, Math.min(127, Math.round(n.velocity * 127))),
      });
      endTick = Math.max(endTick, start + length);
    }
    if (notes.length === 0) continue;
    noteCount += notes.length;
    const isDrum = track.channel === DRUM_CHANNEL;
    tracks.push({
      name: track.name,
      channel: track.channel,
      program: track.instrument.number,
      family: familyOfProgram(track.instrument.number, isDrum),
      notes,
    });
  }
  if (noteCount === 0) throw new StudioError('BAD_FILE', `${name}: contains no notes`);
  return { name, format: header.format, ticksPerQuarter: header.ticksPerQuarter, tempos, timeSignatures, tracks, endTick, noteCount };
}

/** Average tempo of a stretch of a parsed file, following its tempo map. */
export function tempoOver(parsed: ParsedMidi, startTick: number, endTick: number): number {
  return averageTempoBpm(parsed.tempos, parsed.ticksPerQuarter, startTick, endTick);
}

export type MidiToPhrasesOptions = PhraseOptions & { read: Partial<MidiReadOptions> };

/**
 * Cuts a MIDI file into phrases of `bars` 4/4 bars (default 4 bars x 48 steps x 84 pitches x 5 tracks).
 * Throws a StudioError for a bad file; stretches that cannot be used (other metres, too few tracks, leftovers)
 * are listed in `skipped` with a reason.
 */
export function midiToPhrases(bytes: Uint8Array, name: string, options: Partial<MidiToPhrasesOptions> = {}): PhraseResult {
  const { read, ...phraseOptions } = options;
  const parsed = parseMidiFile(bytes, name, read);
  return cutPhrases(parsed, { ...defaultPhraseOptions, ...phraseOptions });
}

export type { Phrase, PhraseInfo, PhraseOptions, PhraseResult, SkippedStretch } from './phrases.js';
