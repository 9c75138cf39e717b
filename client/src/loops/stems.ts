/**
 * Stems: one track of a loop's MIDI file as a file of its own, cut from the server's bytes (not re-encoded), so a
 * stem keeps the loop's tempo, time signature, program and End of Track on the loop's last bar line: dropped into a
 * DAW it lines up with the full loop and with the other stems. Pure.
 */
import { parseMidi, writeMidi, type MidiEvent } from 'midi-file';
import type { TrackName } from '../../../server/protocol.js';

/** The loop's MIDI with only the conductor track and `track`'s track, or null when the loop has no such track. */
export function stemMidi(loopMidi: Uint8Array, track: TrackName): Uint8Array | null {
  const midi = parseMidi(loopMidi);
  if (midi.header.format !== 1 || midi.tracks.length < 2) return null;
  const index = midi.tracks.findIndex((events, i) => i > 0 && trackNameOf(events)?.toLowerCase() === track);
  if (index < 0) return null;
  const conductor = midi.tracks[0]!.map((e) => (e.type === 'trackName' ? { ...e, text: `${trackNameOf(midi.tracks[0]!) ?? 'Studio loop'} - ${track}` } : e));
  const tracks = [conductor, midi.tracks[index]!];
  const bytes = writeMidi({ header: { ...midi.header, numTracks: tracks.length }, tracks }, { running: false, useByte9ForNoteOff: false });
  return Uint8Array.from(bytes);
}

/** The names of the tracks a loop's MIDI file has (lower case, conductor excluded). */
export function midiTrackNames(loopMidi: Uint8Array): string[] {
  const midi = parseMidi(loopMidi);
  return midi.tracks.slice(1).map((events) => (trackNameOf(events) ?? '').toLowerCase());
}

/** `model_4bars_120bpm_seed7.mid` + bass -> `model_4bars_120bpm_seed7_bass.mid`. */
export function stemFilename(loopFilename: string, track: TrackName): string {
  const base = loopFilename.replace(/\.midi?$/i, '');
  return `${base}_${track}.mid`;
}

function trackNameOf(events: MidiEvent[]): string | null {
  for (const e of events) if (e.type === 'trackName') return e.text;
  return null;
}
