/**
 * Pitch names and the computer-keyboard piano. Two rows of a QWERTY keyboard play one octave and a half like a
 * piano (the home row for white keys, the row above for black keys), starting at the current octave's C.
 * Keys are matched by `KeyboardEvent.code`, so the layout is the same on AZERTY or Dvorak keyboards. Pure.
 */
const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;

/** Scientific pitch notation with MIDI 60 = C4. */
export function pitchName(midiPitch: number): string {
  return `${NAMES[((midiPitch % 12) + 12) % 12]}${Math.floor(midiPitch / 12) - 1}`;
}

export function isBlackKey(midiPitch: number): boolean {
  return [1, 3, 6, 8, 10].includes(((midiPitch % 12) + 12) % 12);
}

/** KeyboardEvent.code -> semitones above the octave's C. */
export const PIANO_KEY_CODES: Readonly<Record<string, number>> = {
  KeyA: 0, KeyW: 1, KeyS: 2, KeyE: 3, KeyD: 4, KeyF: 5, KeyT: 6, KeyG: 7, KeyY: 8, KeyH: 9, KeyU: 10, KeyJ: 11,
  KeyK: 12, KeyO: 13, KeyL: 14, KeyP: 15, Semicolon: 16, Quote: 17,
};

/** The printed letter for each piano key code, for the on-screen hints. */
export function keyLabel(code: string): string {
  if (code === 'Semicolon') return ';';
  if (code === 'Quote') return "'";
  return code.startsWith('Key') ? code.slice(3) : code;
}

/** The MIDI pitch a piano key code plays with C of `octave` (C4 = 60 for octave 4) as its lowest key, or null. */
export function pitchForKeyCode(code: string, octave: number): number | null {
  const offset = PIANO_KEY_CODES[code];
  return offset === undefined ? null : (octave + 1) * 12 + offset;
}

/** The key code that plays `midiPitch` at `octave`, if any. */
export function keyCodeForPitch(midiPitch: number, octave: number): string | null {
  const offset = midiPitch - (octave + 1) * 12;
  for (const [code, o] of Object.entries(PIANO_KEY_CODES)) if (o === offset) return code;
  return null;
}

export function clampPitch(midiPitch: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(midiPitch)));
}
