// What an ideal harmonic tone at a MIDI pitch looks like in a preset's IF-Mel: per mel band, its log magnitude and
// its instantaneous frequency (as cos and sin of pi * IF, so the wrap at +-1 is no edge). A note generator given
// these as input maps knows where the partials of the requested pitch fall and how fast their phases turn; from a
// one-hot pitch alone a conv net must learn that mapping first, which took thousands of steps on CPU.
//
// The template is measured, not derived: a steady tone (partials k * f0 up to Nyquist, amplitude 1/k) goes through
// the same encoder as the training data, and one frame well inside it is kept. So the bands, their weights and the
// IF convention are exactly the data's.
import { StudioError } from '../util/errors.js';
import { audioToIfMel } from './ifmel.js';
import { midiToHz } from '../audio/f0.js';
import type { SpectralPreset } from './presets.js';

/** Channels per band: log magnitude, cos(pi * IF), sin(pi * IF). */
export const HARMONIC_TEMPLATE_CHANNELS = 3;

const cache = new Map<string, Float32Array>();

function presetKey(preset: SpectralPreset, midiPitch: number): string {
  return `${preset.name}:${preset.sampleRate}:${preset.nFft}:${preset.hop}:${preset.frames}:${preset.melBins}:${preset.fMinHz}:${preset.fMaxHz}:${preset.dynamicRangeDb}:${midiPitch}`;
}

/** [melBins][3] for one pitch (cached per preset and pitch). */
export function harmonicTemplate(preset: SpectralPreset, midiPitch: number): Float32Array {
  const key = presetKey(preset, midiPitch);
  const cached = cache.get(key);
  if (cached) return cached;
  const half = preset.nFft / 2;
  // A frame whose window and whose predecessor's window lie wholly inside the tone.
  const frame = Math.ceil(half / preset.hop) + 1;
  if (frame >= preset.frames) throw new StudioError('BAD_INPUT', `spectral preset "${preset.name}" has too few frames (${preset.frames}) for a harmonic template`);
  const length = Math.min(preset.samples, frame * preset.hop + half + preset.hop);
  const tone = new Float32Array(length);
  const f0 = midiToHz(midiPitch);
  const partials = Math.floor(preset.sampleRate / 2 / f0 - 1e-9);
  // Peak stays below full scale: sum of 1/k grows like ln(k).
  const gain = 0.5 / (Math.log(partials) + 0.5772 + 1);
  for (let k = 1; k <= partials; k++) {
    const step = (2 * Math.PI * k * f0) / preset.sampleRate;
    const amplitude = gain / k;
    for (let i = 0; i < length; i++) tone[i]! += amplitude * Math.sin(step * i);
  }
  const spec = audioToIfMel(tone, preset);
  const bands = preset.melBins;
  const out = new Float32Array(bands * HARMONIC_TEMPLATE_CHANNELS);
  for (let m = 0; m < bands; m++) {
    const at = (frame * bands + m) * 2;
    const angle = Math.PI * spec[at + 1]!;
    out[m * 3] = spec[at]!;
    out[m * 3 + 1] = Math.cos(angle);
    out[m * 3 + 2] = Math.sin(angle);
  }
  cache.set(key, out);
  return out;
}

/** [pitches][melBins][3] for consecutive MIDI pitches first..last. */
export function harmonicTemplates(preset: SpectralPreset, firstMidiPitch: number, lastMidiPitch: number): Float32Array {
  const size = preset.melBins * HARMONIC_TEMPLATE_CHANNELS;
  const out = new Float32Array((lastMidiPitch - firstMidiPitch + 1) * size);
  for (let p = firstMidiPitch; p <= lastMidiPitch; p++) out.set(harmonicTemplate(preset, p), (p - firstMidiPitch) * size);
  return out;
}
