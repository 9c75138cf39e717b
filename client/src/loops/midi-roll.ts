/**
 * A MIDI file (a training preview, a loop from disk) as the note lists the loop player and piano roll use
 * (LoopRollJson): tempo and metre from the conductor, one entry per named family track, onsets and ends snapped to
 * a 48-steps-per-bar grid (which holds both sixteenths and triplets in 4/4). Pure.
 */
import { parseMidi, type MidiEvent } from 'midi-file';
import { TRACK_NAMES, type LoopRollJson, type TrackName } from '../../../server/protocol.js';

const STEPS_PER_BAR = 48;
const DRUM_CHANNEL = 9;

export function midiToRoll(bytes: Uint8Array, label = 'MIDI file'): LoopRollJson {
  let midi;
  try {
    midi = parseMidi(bytes);
  } catch (err) {
    throw new Error(`${label}: not a readable MIDI file (${err instanceof Error ? err.message : String(err)})`);
  }
  const ticksPerBeat = midi.header.ticksPerBeat;
  if (!ticksPerBeat) throw new Error(`${label}: SMPTE time is not supported`);
  let tempoBpm = 120;
  let beatsPerBar = 4;
  let endTick = 0;
  const tracks = new Map<TrackName, LoopRollJson['tracks'][number]>();
  midi.tracks.forEach((events, index) => {
    let tick = 0;
    let name: string | null = null;
    let program = 0;
    let channel: number | null = null;
    const open = new Map<number, { start: number; velocity: number }>();
    const notes: { pitch: number; startTick: number; endTick: number; velocity: number }[] = [];
    for (const event of events as MidiEvent[]) {
      tick += event.deltaTime;
      switch (event.type) {
        case 'setTempo':
          if (tick === 0) tempoBpm = Math.round((60_000_000 / event.microsecondsPerBeat) * 100) / 100;
          break;
        case 'timeSignature':
          if (tick === 0) beatsPerBar = event.numerator * (4 / event.denominator);
          break;
        case 'trackName':
          name ??= event.text;
          break;
        case 'programChange':
          program = event.programNumber;
          break;
        case 'noteOn':
        case 'noteOff': {
          channel ??= event.channel;
          const held = open.get(event.noteNumber);
          if (held) {
            notes.push({ pitch: event.noteNumber, startTick: held.start, endTick: tick, velocity: held.velocity });
            open.delete(event.noteNumber);
          }
          if (event.type === 'noteOn' && event.velocity > 0) open.set(event.noteNumber, { start: tick, velocity: event.velocity });
          break;
        }
        case 'endOfTrack':
          endTick = Math.max(endTick, tick);
          break;
      }
    }
    for (const [pitch, held] of open) notes.push({ pitch, startTick: held.start, endTick: tick, velocity: held.velocity });
    if (index === 0 && notes.length === 0) return; // the conductor
    const family = familyOf(name, channel);
    if (!family || notes.length === 0) return;
    const entry = tracks.get(family) ?? { name: family, program, isDrum: family === 'drums', notes: [] };
    const ticksPerStep = (ticksPerBeat * beatsPerBar) / STEPS_PER_BAR;
    for (const n of notes) {
      const startStep = Math.round(n.startTick / ticksPerStep);
      entry.notes.push({ pitch: n.pitch, startStep, endStep: Math.max(startStep + 1, Math.round(n.endTick / ticksPerStep)), velocity: n.velocity });
    }
    tracks.set(family, entry);
  });
  const ticksPerBar = ticksPerBeat * beatsPerBar;
  const lastNoteStep = Math.max(0, ...[...tracks.values()].flatMap((t) => t.notes.map((n) => n.endStep)));
  const bars = Math.max(1, Math.ceil(endTick / ticksPerBar - 1e-9), Math.ceil(lastNoteStep / STEPS_PER_BAR));
  return {
    bars,
    stepsPerBar: STEPS_PER_BAR,
    beatsPerBar,
    tempoBpm,
    lowestPitch: 0,
    pitchCount: 128,
    tracks: TRACK_NAMES.filter((t) => tracks.has(t)).map((t) => {
      const track = tracks.get(t)!;
      track.notes.sort((a, b) => a.startStep - b.startStep || a.pitch - b.pitch);
      return track;
    }),
  };
}

/** A track's family: by its name when it names one, drums by channel 10, else none. */
function familyOf(name: string | null, channel: number | null): TrackName | null {
  const lower = name?.trim().toLowerCase() ?? '';
  const named = TRACK_NAMES.find((t) => lower === t || lower.startsWith(`${t} `));
  if (named) return named;
  return channel === DRUM_CHANNEL ? 'drums' : null;
}
