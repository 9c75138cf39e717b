/**
 * Multitrack roll -> Standard MIDI File that a DAW opens as a user expects: format 1 at 480 PPQ, a conductor
 * track with tempo and time signature, one named track per family with its General MIDI program, drums alone on
 * channel 10, notes ending on their step, and every track's End of Track on the loop's last bar line so a DAW
 * clip is exactly the loop's length. Written with midi-file (not @tonejs/midi's encoder, which always puts End of
 * Track right after the last event and floors velocities).
 */
import { writeMidi, type MidiEvent } from 'midi-file';
import { StudioError } from '../util/errors.js';
import { DEFAULT_PROGRAMS, DRUM_CHANNEL, TRACK_FAMILIES, type TrackFamily } from './families.js';
import { assertRollShape, rollIndex, rollSteps, trackIsEmpty, type MultitrackRoll } from './roll.js';
import { defaultVelocity } from './velocity.js';

export interface RollToMidiOptions {
  /** General MIDI program per family (drums: the kit number). Defaults: DEFAULT_PROGRAMS. */
  programs?: Partial<Record<TrackFamily, number>>;
  /** A fixed velocity per family; wins over the roll's own velocities and the groove default. */
  velocities?: Partial<Record<TrackFamily, number>>;
  /** Defaults to roll.tempoBpm. */
  tempoBpm?: number;
  trackNames?: Partial<Record<TrackFamily, string>>;
  /** Name of the conductor track (the song title in most DAWs). */
  name?: string;
  /** Write a track for a family with no notes too (default: only families with notes). */
  includeEmptyTracks?: boolean;
}

export const MIDI_TICKS_PER_QUARTER = 480;

export const DEFAULT_TRACK_NAMES: Readonly<Record<TrackFamily, string>> = {
  drums: 'Drums',
  bass: 'Bass',
  piano: 'Piano',
  guitar: 'Guitar',
  strings: 'Strings',
};

/** Drums on channel 10; the others on 1-4 in family order (never 10). */
export function channelOf(family: TrackFamily): number {
  if (family === 'drums') return DRUM_CHANNEL;
  return TRACK_FAMILIES.filter((f) => f !== 'drums').indexOf(family);
}

function checkMidiByte(value: number, what: string, min: number): number {
  if (!Number.isInteger(value) || value < min || value > 127) throw new StudioError('BAD_INPUT', `${what} must be an integer ${min}-127, got ${value}`);
  return value;
}

interface TimedEvent {
  tick: number;
  /** Note-offs sort before note-ons at the same tick. */
  order: number;
  event: MidiEvent;
}

function toTrack(events: TimedEvent[], endTick: number): MidiEvent[] {
  events.sort((a, b) => a.tick - b.tick || a.order - b.order);
  const out: MidiEvent[] = [];
  let last = 0;
  for (const e of events) {
    out.push({ ...e.event, deltaTime: e.tick - last } as MidiEvent);
    last = e.tick;
  }
  out.push({ deltaTime: Math.max(0, endTick - last), meta: true, type: 'endOfTrack' });
  return out;
}

/** Encodes a roll as MIDI bytes. */
export function rollToMidi(roll: MultitrackRoll, options: RollToMidiOptions = {}): Uint8Array {
  assertRollShape(roll);
  const tempoBpm = options.tempoBpm ?? roll.tempoBpm;
  if (!Number.isFinite(tempoBpm) || tempoBpm < 4 || tempoBpm > 1000) throw new StudioError('BAD_INPUT', `tempo must be 4-1000 bpm, got ${tempoBpm}`);
  const ticksPerBar = MIDI_TICKS_PER_QUARTER * roll.beatsPerBar;
  const tickOf = (step: number) => Math.round((step * ticksPerBar) / roll.stepsPerBar);
  const totalSteps = rollSteps(roll);
  const endTick = tickOf(totalSteps);

  const conductor: TimedEvent[] = [
    { tick: 0, order: 0, event: { deltaTime: 0, meta: true, type: 'trackName', text: options.name ?? 'Studio loop' } },
    {
      tick: 0,
      order: 1,
      event: { deltaTime: 0, meta: true, type: 'timeSignature', numerator: roll.beatsPerBar, denominator: 4, metronome: 24, thirtyseconds: 8 },
    },
    { tick: 0, order: 2, event: { deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: Math.round(60_000_000 / tempoBpm) } },
  ];
  const tracks: MidiEvent[][] = [toTrack(conductor, endTick)];

  TRACK_FAMILIES.forEach((family, t) => {
    if (!options.includeEmptyTracks && trackIsEmpty(roll, t)) return;
    const channel = channelOf(family);
    const program = checkMidiByte(options.programs?.[family] ?? DEFAULT_PROGRAMS[family], `program for ${family}`, 0);
    const fixedVelocity = options.velocities?.[family];
    if (fixedVelocity !== undefined) checkMidiByte(fixedVelocity, `velocity for ${family}`, 1);
    const events: TimedEvent[] = [
      { tick: 0, order: 0, event: { deltaTime: 0, meta: true, type: 'trackName', text: options.trackNames?.[family] ?? DEFAULT_TRACK_NAMES[family] } },
      { tick: 0, order: 1, event: { deltaTime: 0, type: 'programChange', channel, programNumber: program } },
    ];
    for (let p = 0; p < roll.pitchCount; p++) {
      const noteNumber = roll.lowestPitch + p;
      let start = -1;
      for (let s = 0; s <= totalSteps; s++) {
        const on = s < totalSteps && roll.data[rollIndex(roll, 0, s, p, t)] === 1;
        if (on && start < 0) start = s;
        if (!on && start >= 0) {
          const fromRoll = Math.min(127, roll.velocities?.[rollIndex(roll, 0, start, p, t)] ?? 0);
          const velocity = fixedVelocity ?? (fromRoll || defaultVelocity(family, start % roll.stepsPerBar, roll.stepsPerBar, roll.beatsPerBar));
          events.push({ tick: tickOf(start), order: 3, event: { deltaTime: 0, type: 'noteOn', channel, noteNumber, velocity } });
          events.push({ tick: tickOf(s), order: 2, event: { deltaTime: 0, type: 'noteOff', channel, noteNumber, velocity: 0 } });
          start = -1;
        }
      }
    }
    tracks.push(toTrack(events, endTick));
  });

  const bytes = writeMidi({ header: { format: 1, numTracks: tracks.length, ticksPerBeat: MIDI_TICKS_PER_QUARTER }, tracks }, { running: false, useByte9ForNoteOff: false });
  return Uint8Array.from(bytes);
}
