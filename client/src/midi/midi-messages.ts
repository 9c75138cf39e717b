/** MIDI 1.0 channel and real-time messages, as Web MIDI delivers and sends them. Pure. */

export type MidiMessage =
  | { kind: 'noteOn'; channel: number; midiPitch: number; velocity: number }
  | { kind: 'noteOff'; channel: number; midiPitch: number; velocity: number }
  | { kind: 'clock' | 'start' | 'continue' | 'stop' }
  | { kind: 'other' };

export function parseMidiMessage(data: ArrayLike<number>): MidiMessage {
  const status = data[0] ?? 0;
  if (status === 0xf8) return { kind: 'clock' };
  if (status === 0xfa) return { kind: 'start' };
  if (status === 0xfb) return { kind: 'continue' };
  if (status === 0xfc) return { kind: 'stop' };
  const type = status & 0xf0;
  const channel = status & 0x0f;
  if (data.length < 3) return { kind: 'other' };
  const midiPitch = data[1]! & 0x7f;
  const velocity = data[2]! & 0x7f;
  // A note-on with velocity 0 is a note-off (running-status senders use it).
  if (type === 0x90) return velocity === 0 ? { kind: 'noteOff', channel, midiPitch, velocity: 0 } : { kind: 'noteOn', channel, midiPitch, velocity };
  if (type === 0x80) return { kind: 'noteOff', channel, midiPitch, velocity };
  return { kind: 'other' };
}

export function noteOnBytes(channel: number, midiPitch: number, velocity: number): number[] {
  return [0x90 | (channel & 0x0f), midiPitch & 0x7f, Math.max(1, Math.min(127, Math.round(velocity)))];
}

export function noteOffBytes(channel: number, midiPitch: number): number[] {
  return [0x80 | (channel & 0x0f), midiPitch & 0x7f, 0];
}

/** All notes off on every channel (stop, or switching ports). */
export function allNotesOffBytes(): number[][] {
  return Array.from({ length: 16 }, (_, channel) => [0xb0 | channel, 123, 0]);
}

/** The loop's MIDI channel per track (0-based): drums on 10 (9), the others on 1-4, as in the server's MIDI files. */
export const TRACK_CHANNELS = { drums: 9, bass: 0, piano: 1, guitar: 2, strings: 3 } as const;
