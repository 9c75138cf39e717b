// Spectral presets: the size of the IF-Mel spectrogram a note becomes, [frames][melBins][2].
//
//   name   audio            nFft  hop  frames x melBins x 2   linear bins   values   why
//   tiny   0.5 s @ 16 kHz    512  256      32 x   32 x 2           256       2,048   tests: a GAN step in milliseconds
//   lite   1 s   @ 16 kHz   1024  256      64 x  128 x 2           512      16,384   the CPU default (see below)
//   paper  4 s   @ 16 kHz   2048  512     128 x 1024 x 2          1024     262,144   GANSynth's own IF-Mel
//
// Both sides are powers of two so a conv generator can double them from a small seed (e.g. 2 x 4 -> 64 x 128 in
// five up-sampling steps). `lite` keeps GANSynth's 75% frame overlap (hop = nFft / 4) and covers 1 s of audio with
// 64 frames of 16 ms; its 128 mel bands (HTK mel, 0-8 kHz) are ~14 Hz wide at the bottom (finer than the 15.6 Hz
// linear bins) and ~170 Hz at the top. The paper's 128 x 1024 has 16x as many values: the measured cost of a
// 64 x 512 note GAN step on 2 cores (shared/bench/README.md) made 64 x 128 the size that trains within the hour.
// What the size costs in sound (audio -> IF-Mel -> audio on 120 rendered notes, 20 programs x 6 pitches, spectral
// convergence on a 1024/256 STFT, mean): lite 0.26; lite with 256 mel bins 0.15; with 512 bins 0.09; paper 0.10
// (on 4 s notes). High bands average several harmonics, so lite loses most on high notes.
// frames * hop may exceed the audio length: the end is zero-padded and the inverse trims it off.
import { StudioError } from '../util/errors.js';

export type SpectralPresetName = 'tiny' | 'lite' | 'paper';

export interface SpectralPreset {
  name: string;
  sampleRate: number;
  /** Audio length the spectrogram covers. */
  seconds: number;
  /** round(seconds * sampleRate). */
  samples: number;
  nFft: number;
  hop: number;
  /** Time axis of the spectrogram (a power of two). */
  frames: number;
  /** Frequency axis of the spectrogram (a power of two). */
  melBins: number;
  /** Linear STFT bins kept before mel scaling: nFft / 2 (the Nyquist bin is dropped, as in GANSynth). */
  linearBins: number;
  /** Log-magnitude range: +1 is the loudest possible bin (6 dB above a 0 dBFS sine), -1 is this many dB below. */
  dynamicRangeDb: number;
  /** Mel band edges, Hz. */
  fMinHz: number;
  fMaxHz: number;
}

function preset(
  name: string,
  sampleRate: number,
  seconds: number,
  nFft: number,
  hop: number,
  frames: number,
  melBins: number,
): SpectralPreset {
  return {
    name,
    sampleRate,
    seconds,
    samples: Math.round(seconds * sampleRate),
    nFft,
    hop,
    frames,
    melBins,
    linearBins: nFft / 2,
    dynamicRangeDb: 100,
    fMinHz: 0,
    fMaxHz: sampleRate / 2,
  };
}

export const SPECTRAL_PRESETS: Readonly<Record<SpectralPresetName, SpectralPreset>> = {
  tiny: preset('tiny', 16000, 0.5, 512, 256, 32, 32),
  lite: preset('lite', 16000, 1, 1024, 256, 64, 128),
  paper: preset('paper', 16000, 4, 2048, 512, 128, 1024),
};

export const spectralPresetNames = Object.keys(SPECTRAL_PRESETS) as SpectralPresetName[];

export function getSpectralPreset(name: string): SpectralPreset {
  const found = (SPECTRAL_PRESETS as Record<string, SpectralPreset>)[name];
  if (!found) throw new StudioError('BAD_INPUT', `unknown spectral preset "${name}" (known: ${spectralPresetNames.join(', ')})`);
  return { ...found };
}

/** A preset with some fields changed (e.g. more mel bins), checked for consistency. */
export function customSpectralPreset(base: SpectralPreset, changes: Partial<Omit<SpectralPreset, 'samples' | 'linearBins'>>): SpectralPreset {
  const merged = { ...base, ...changes };
  const out: SpectralPreset = {
    ...merged,
    name: changes.name ?? `${base.name}-custom`,
    samples: Math.round(merged.seconds * merged.sampleRate),
    linearBins: merged.nFft / 2,
  };
  validateSpectralPreset(out);
  return out;
}

export function validateSpectralPreset(p: SpectralPreset): void {
  const fail = (why: string): never => {
    throw new StudioError('BAD_INPUT', `spectral preset "${p.name}": ${why}`);
  };
  const pow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
  if (!pow2(p.nFft) || p.nFft < 16) fail(`nFft ${p.nFft} must be a power of two >= 16`);
  if (!Number.isInteger(p.hop) || p.hop < 1 || p.hop > p.nFft / 2) fail(`hop ${p.hop} must be an integer in 1..nFft/2`);
  if (!Number.isInteger(p.frames) || p.frames < 2) fail(`frames ${p.frames} must be an integer >= 2`);
  if (!Number.isInteger(p.melBins) || p.melBins < 2 || p.melBins > p.nFft) fail(`melBins ${p.melBins} must be in 2..nFft`);
  if (p.frames * p.hop < p.samples) fail(`frames * hop = ${p.frames * p.hop} samples do not cover ${p.samples}`);
  if (!(p.dynamicRangeDb > 0)) fail('dynamicRangeDb must be positive');
  if (!(p.fMinHz >= 0 && p.fMaxHz > p.fMinHz && p.fMaxHz <= p.sampleRate / 2)) fail('need 0 <= fMinHz < fMaxHz <= sampleRate / 2');
}
