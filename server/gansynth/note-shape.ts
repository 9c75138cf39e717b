/**
 * Turns a decoded note into what a player expects: a fixed peak level scaled by MIDI velocity, an optional length,
 * and a short fade at its end so it never clicks. The model has no velocity input (GANSynth has none either);
 * velocity sets the level with the SoundFont default curve, amplitude (velocity/127)^2, i.e. -40 log10(127/v) dB.
 */
export interface NoteShapeOptions {
  /** MIDI velocity 1-127 (default 100). */
  velocity?: number;
  /** Length in seconds: shorter cuts with a fade, longer pads with silence. Default: the model's own length. */
  seconds?: number;
}

export const noteShapeDefaults = { velocity: 100, peakAtFullVelocity: 0.89, fadeSeconds: 0.01 };

/** Amplitude factor for a MIDI velocity. */
export function velocityGain(velocity: number): number {
  return (velocity / 127) ** 2;
}

export function shapeNote(audio: Float32Array, sampleRate: number, options: NoteShapeOptions = {}): Float32Array {
  const velocity = options.velocity ?? noteShapeDefaults.velocity;
  let peak = 0;
  for (let i = 0; i < audio.length; i++) peak = Math.max(peak, Math.abs(audio[i]!));
  // Near-silent output (an untrained model) is left alone rather than amplified into noise.
  const gain = peak > 1e-4 ? (noteShapeDefaults.peakAtFullVelocity * velocityGain(velocity)) / peak : 1;
  const length = options.seconds === undefined ? audio.length : Math.max(1, Math.round(options.seconds * sampleRate));
  const out = new Float32Array(length);
  const copied = Math.min(length, audio.length);
  for (let i = 0; i < copied; i++) out[i] = audio[i]! * gain;
  // The model's spectrogram ends abruptly too, so the end of the sound always fades.
  const fade = Math.min(copied, Math.round(noteShapeDefaults.fadeSeconds * sampleRate));
  for (let i = 0; i < fade; i++) out[copied - 1 - i]! *= i / fade;
  return out;
}
