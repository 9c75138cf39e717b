/**
 * Download names that say what a file is: model, pitch (with its note name), velocity, tempo, bars, seed.
 * Model ids are already [A-Za-z0-9._-]; everything else here is a number, so names are safe in any header.
 */
const NOTE_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** Scientific pitch name with MIDI 60 = C4, '#' spelled 's' for file systems that dislike it (Cs4). */
export function noteName(midiPitch: number): string {
  return `${NOTE_NAMES[midiPitch % 12]!.replace('#', 's')}${Math.floor(midiPitch / 12) - 1}`;
}

export function noteFilename(o: { model: string; midiPitch: number; velocity: number; seed: number | null; format: string }): string {
  const timbre = o.seed === null ? 'latent' : `seed${o.seed}`;
  const depth = o.format === 'wav16' ? '' : `_${o.format}`;
  return `${o.model}_${noteName(o.midiPitch)}-${o.midiPitch}_v${o.velocity}_${timbre}${depth}.wav`;
}

export function instrumentBaseName(o: { model: string; seed: number; minPitch: number; maxPitch: number }): string {
  return `${o.model}_seed${o.seed}_${noteName(o.minPitch)}-${noteName(o.maxPitch)}`;
}

export function loopFilename(o: { model: string; bars: number; tempo: number; seed: number }, extension: 'mid' | 'json'): string {
  return `${o.model}_${o.bars}bars_${Math.round(o.tempo * 100) / 100}bpm_seed${o.seed}.${extension}`;
}

/** A Content-Disposition value for a download named `filename` (ASCII by construction). */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/["\\\r\n]/g, '_')}"`;
}
