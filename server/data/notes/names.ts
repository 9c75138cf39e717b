// What a sample's file name says about it: pitch (note name like C#4 / Db4, `midi60`, or NSynth's `-060-100`)
// and velocity (`v100`, `vel100`, or NSynth's pattern). Scientific pitch notation: C4 = MIDI 60.

export interface NameHints {
  pitch?: number;
  velocity?: number;
}

const NOTE_OFFSETS: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };

/** Parses pitch and velocity hints from a file name (with or without extension). */
export function hintsFromFileName(fileName: string): NameHints {
  const stem = fileName.replace(/\.[^./\\]+$/, '');
  const hints: NameHints = {};
  // NSynth: <instrument>-<pitch>-<velocity>
  const nsynth = /-(\d{3})-(\d{3})$/.exec(stem);
  if (nsynth) {
    const pitch = Number(nsynth[1]);
    const velocity = Number(nsynth[2]);
    if (pitch <= 127) hints.pitch = pitch;
    if (velocity >= 1 && velocity <= 127) hints.velocity = velocity;
    return hints;
  }
  const midi = /(?:^|[^a-z])(?:midi|note|key|pitch)[ _-]?(\d{1,3})(?!\d)/i.exec(stem);
  if (midi && Number(midi[1]) <= 127) hints.pitch = Number(midi[1]);
  if (hints.pitch === undefined) {
    // A note letter not glued to other letters, an optional accidental, then the octave (-1..9).
    const named = /(?:^|[^a-z])([a-g])(#|♯|b|♭|s)?(-1|[0-9])(?![0-9])/i.exec(stem);
    if (named) {
      const letter = named[1]!.toLowerCase();
      const accidental = named[2] ?? '';
      const shift = accidental === '#' || accidental === '♯' || accidental.toLowerCase() === 's' ? 1 : accidental === 'b' || accidental === '♭' ? -1 : 0;
      const pitch = (Number(named[3]) + 1) * 12 + NOTE_OFFSETS[letter]! + shift;
      if (pitch >= 0 && pitch <= 127) hints.pitch = pitch;
    }
  }
  const vel = /(?:^|[^a-z])(?:vel|velocity|v)[ _-]?(\d{1,3})(?!\d)/i.exec(stem);
  if (vel && Number(vel[1]) >= 1 && Number(vel[1]) <= 127) hints.velocity = Number(vel[1]);
  return hints;
}

/** A file-name-safe token: lower case letters, digits and underscores. */
export function safeToken(text: string, fallback: string): string {
  const token = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 48);
  return token || fallback;
}
