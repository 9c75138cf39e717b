// Builds small MIDI files with @tonejs/midi (an independent writer) for the MIDI-in tests.
import * as tonejsModule from '@tonejs/midi';

// @tonejs/midi is a UMD bundle: Node's ESM loader exposes it only as `default`, a CommonJS-compiled test file
// sees named exports. Accept both.
const tonejs = ((tonejsModule as unknown as { default?: typeof tonejsModule }).default ?? tonejsModule) as typeof tonejsModule;
export const ToneMidi = tonejs.Midi;
type Midi = InstanceType<typeof ToneMidi>;
const MidiClass = ToneMidi;

export interface FixtureNote {
  midi: number;
  ticks: number;
  durationTicks: number;
  /** MIDI velocity 1-127 (default 100). */
  velocity?: number;
}

export interface FixtureTrack {
  channel?: number;
  program?: number;
  name?: string;
  notes: FixtureNote[];
}

export interface FixtureSong {
  ppq?: number;
  tempos?: { ticks: number; bpm: number }[];
  timeSignatures?: { ticks: number; timeSignature: [number, number] }[];
  tracks: FixtureTrack[];
}

/** Encodes a song; @tonejs/midi writes at 480 PPQ unless the header's ppq is replaced. */
export function makeMidi(song: FixtureSong): Uint8Array {
  const midi = new MidiClass();
  if (song.ppq !== undefined) {
    // The header keeps ppq privately; a JSON round trip is the supported way to set it.
    const json = midi.toJSON();
    json.header.ppq = song.ppq;
    midi.fromJSON(json);
  }
  midi.header.tempos = (song.tempos ?? [{ ticks: 0, bpm: 120 }]).map((t) => ({ ...t }));
  midi.header.timeSignatures = (song.timeSignatures ?? [{ ticks: 0, timeSignature: [4, 4] }]).map((t) => ({ ...t }));
  midi.header.update();
  for (const t of song.tracks) {
    const track = midi.addTrack();
    track.channel = t.channel ?? 0;
    track.instrument.number = t.program ?? 0;
    track.name = t.name ?? '';
    for (const n of t.notes) {
      // The encoder floors velocity * 127; +0.5 keeps the intended integer through the float round trip.
      track.addNote({ midi: n.midi, ticks: n.ticks, durationTicks: n.durationTicks, velocity: ((n.velocity ?? 100) + 0.5) / 127 });
    }
  }
  return midi.toArray();
}

/** n notes of one pitch, one per quarter note, each `lengthTicks` long. */
export function quarterNotes(midiPitch: number, count: number, ppq = 480, lengthTicks = ppq / 2, startTick = 0): FixtureNote[] {
  return Array.from({ length: count }, (_, i) => ({ midi: midiPitch, ticks: startTick + i * ppq, durationTicks: lengthTicks }));
}

/** A hand-made Standard MIDI File from raw track bodies (event bytes), for malformed-file tests. */
export function rawSmf(header: { format?: number; trackCount?: number; division?: number }, trackBodies: number[][]): Uint8Array {
  const bytes: number[] = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6];
  const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
  const u32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
  bytes.push(...u16(header.format ?? 1), ...u16(header.trackCount ?? trackBodies.length), ...u16(header.division ?? 480));
  for (const body of trackBodies) {
    bytes.push(0x4d, 0x54, 0x72, 0x6b, ...u32(body.length));
    for (const b of body) bytes.push(b);
  }
  return new Uint8Array(bytes);
}

/** Event bytes: a note of `lengthTicks` (< 128) on channel 0 at delta 0, then End of Track. */
export function oneNoteTrack(midiPitch = 60, lengthTicks = 96): number[] {
  return [0x00, 0x90, midiPitch, 100, lengthTicks, 0x80, midiPitch, 0, 0x00, 0xff, 0x2f, 0x00];
}
