/**
 * MIDI in: bytes -> checked, plain note lists per track (parseMidiFile) -> 4/4 phrases of multitrack rolls
 * (midiToPhrases).
 *
 * Events are parsed by midi-file (the parser inside @tonejs/midi), notes are paired here in one linear pass.
 * @tonejs/midi's own Track pairing is quadratic in the note count (measured: 50k notes 15 s, 100k notes 28 s,
 * 400k notes > 5 min), which would let one dense file stall a folder import or the server; it also throws
 * strings and TypeErrors on bad data and yields tracks with a duration of -Infinity from truncated files. The
 * parser's non-Error throws are turned into StudioErrors here and every figure is checked.
 */
import { parseMidi, type MidiData } from 'midi-file';
import { StudioError, describeThrown } from '../util/errors.js';
import { averageTempoBpm, type TempoChange, type TimeSignatureChange } from './bar-grid.js';
import { DRUM_CHANNEL, familyOfProgram, type TrackFamily } from './families.js';
import { decodeMidiBytes, readSmfHeader, defaultMidiBytesOptions, type MidiBytesOptions } from './midi-bytes.js';
import { cutPhrases, defaultPhraseOptions, type PhraseOptions, type PhraseResult } from './phrases.js';

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

interface ProgramChange {
  tick: number;
  program: number;
}

/** Program set by the last change at or before `tick`, or null when there is none. */
function programAt(changes: ProgramChange[] | undefined, tick: number): number | null {
  if (!changes || changes.length === 0 || changes[0]!.tick > tick) return null;
  // Binary search for the last change at or before `tick` (some files repeat program changes every bar).
  let lo = 0;
  let hi = changes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (changes[mid]!.tick <= tick) lo = mid;
    else hi = mid - 1;
  }
  return changes[lo]!.program;
}

/**
 * Notes of every track, split by (channel, program at the note's start) like @tonejs/midi does, so a track that
 * changes instrument lands in the right families. The program is the track's own last change on that channel
 * (as pretty_midi, which built LPD, reads it: many files reuse a channel across tracks with different
 * programs); a track without one takes the file's last change on the channel from any track, else 0.
 * Note-offs close the oldest open note of their pitch (FIFO); notes never closed are dropped.
 */
function collectTracks(data: MidiData, name: string, o: MidiReadOptions) {
  const tempos: TempoChange[] = [];
  const timeSignatures: TimeSignatureChange[] = [];
  const programs = new Map<number, ProgramChange[]>(); // channel -> changes in any track
  let endTick = 0;
  const absolute = data.tracks.map((events) => {
    let tick = 0;
    const ticks = events.map((e) => (tick += e.deltaTime));
    return { events, ticks, programs: new Map<number, ProgramChange[]>() };
  });
  for (const track of absolute) {
    const { events, ticks } = track;
    events.forEach((e, i) => {
      const tick = ticks[i]!;
      if (e.type === 'setTempo') {
        const bpm = 60_000_000 / e.microsecondsPerBeat;
        if (!Number.isFinite(bpm) || bpm < o.minTempoBpm || bpm > o.maxTempoBpm) {
          throw new StudioError(
            'BAD_FILE',
            `${name}: has an absurd tempo of ${Number.isFinite(bpm) ? bpm.toFixed(1) : String(bpm)} bpm at tick ${tick} (accepted: ${o.minTempoBpm}-${o.maxTempoBpm})`,
          );
        }
        tempos.push({ ticks: tick, bpm });
      } else if (e.type === 'timeSignature') {
        timeSignatures.push({ ticks: tick, numerator: e.numerator, denominator: e.denominator });
      } else if (e.type === 'programChange') {
        for (const map of [programs, track.programs]) {
          const list = map.get(e.channel) ?? [];
          list.push({ tick, program: e.programNumber });
          map.set(e.channel, list);
        }
      } else if (e.type === 'endOfTrack') {
        // A loop's End of Track marks its length even when its last bars are silent.
        endTick = Math.max(endTick, tick);
      }
    });
  }
  // Stable sort: within a tick, later events win.
  for (const list of programs.values()) list.sort((a, b) => a.tick - b.tick);

  const tracks: MidiTrackNotes[] = [];
  for (const { events, ticks, programs: ownPrograms } of absolute) {
    const trackName = (events.find((e) => e.type === 'trackName') as { text?: string } | undefined)?.text ?? '';
    const open = new Map<number, { tick: number; velocity: number }[]>(); // channel * 128 + pitch -> FIFO
    const split = new Map<string, MidiTrackNotes>();
    events.forEach((e, i) => {
      if (e.type !== 'noteOn' && e.type !== 'noteOff') return;
      const tick = ticks[i]!;
      const key = e.channel * 128 + e.noteNumber;
      if (e.type === 'noteOn') {
        const queue = open.get(key) ?? [];
        queue.push({ tick, velocity: e.velocity });
        open.set(key, queue);
        return;
      }
      const start = open.get(key)?.shift();
      if (!start) return; // a note-off without a note-on
      const program = programAt(ownPrograms.get(e.channel), start.tick) ?? programAt(programs.get(e.channel), start.tick) ?? 0;
      const id = `${e.channel}:${program}`;
      let track = split.get(id);
      if (!track) {
        track = { name: trackName, channel: e.channel, program, family: familyOfProgram(program, e.channel === DRUM_CHANNEL), notes: [] };
        split.set(id, track);
      }
      track.notes.push({ midiPitch: e.noteNumber, startTick: start.tick, endTick: tick, velocity: Math.max(1, Math.min(127, start.velocity)) });
      endTick = Math.max(endTick, tick);
    });
    for (const track of split.values()) {
      track.notes.sort((a, b) => a.startTick - b.startTick);
      tracks.push(track);
    }
  }
  return { tempos, timeSignatures, tracks, endTick };
}

/** Parses and checks a MIDI file (`.mid`, `.mid.gz`, `.rmi`); throws a StudioError naming `name` on any problem. */
export function parseMidiFile(bytes: Uint8Array, name: string, options: Partial<MidiReadOptions> = {}): ParsedMidi {
  const o = { ...defaultMidiReadOptions, ...options };
  const smf = decodeMidiBytes(bytes, name, o);
  const header = readSmfHeader(smf, name);
  let data: MidiData;
  try {
    data = parseMidi(smf);
  } catch (thrown) {
    // midi-file throws plain strings ("Unrecognised MIDI event type byte: ...") as well as Errors.
    throw new StudioError('BAD_FILE', `${name}: is corrupt MIDI (${describeThrown(thrown)})`, { cause: thrown });
  }
  const { tempos, timeSignatures, tracks, endTick } = collectTracks(data, name, o);
  const noteCount = tracks.reduce((n, t) => n + t.notes.length, 0);
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
