/**
 * Download names that say what a file is: model, pitch (with its note name), velocity, tempo, bars, seed, instrument.
 * Model ids are already [A-Za-z0-9._-]; instrument names (from training data labels) go through fileWord; everything
 * else here is a number, so names are safe in any header and on the shared-file shelf.
 */
const NOTE_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** Scientific pitch name with MIDI 60 = C4, '#' spelled 's' for file systems that dislike it (Cs4). */
export function noteName(midiPitch: number): string {
  return `${NOTE_NAMES[midiPitch % 12]!.replace('#', 's')}${Math.floor(midiPitch / 12) - 1}`;
}

/** `_mallet_msgl_012` for a named instrument (timbre class), '' for none. */
function instrumentPart(instrument: string | null | undefined): string {
  return instrument ? `_${fileWord(instrument)}` : '';
}

/**
 * A label as a file-name word: letters, digits, "_" and "-" only (anything else, "." included, becomes "-", so no
 * ".." or path can appear), at most 64 characters; never empty.
 */
export function fileWord(label: string): string {
  const word = label.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return word || 'x';
}

export function noteFilename(o: { model: string; midiPitch: number; velocity: number; seed: number | null; instrument?: string | null; format: string }): string {
  const timbre = o.seed === null ? 'latent' : `seed${o.seed}`;
  const depth = o.format === 'wav16' ? '' : `_${o.format}`;
  return `${o.model}_${noteName(o.midiPitch)}-${o.midiPitch}_v${o.velocity}_${timbre}${instrumentPart(o.instrument)}${depth}.wav`;
}

/** Also the .sfz and .zip names inside, which the instrument export keeps to 64 characters: a long instrument name is cut to fit. */
export function instrumentBaseName(o: { model: string; seed: number; instrument?: string | null; minPitch: number; maxPitch: number }): string {
  const range = `_${noteName(o.minPitch)}-${noteName(o.maxPitch)}`;
  const head = `${o.model}_seed${o.seed}`;
  const room = 64 - head.length - range.length;
  return `${head}${room > 1 ? instrumentPart(o.instrument).slice(0, room) : ''}${range}`;
}

export function loopFilename(o: { model: string; bars: number; tempo: number; seed: number }, extension: 'mid' | 'json'): string {
  return `${o.model}_${o.bars}bars_${Math.round(o.tempo * 100) / 100}bpm_seed${o.seed}.${extension}`;
}

/** A Content-Disposition value for a download named `filename` (ASCII by construction). */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/["\\\r\n]/g, '_')}"`;
}
