// GANSynth's IF-Mel representation: per frame and mel band, a log magnitude and an instantaneous frequency (IF),
// both in [-1, 1], laid out [frames][melBins][2] (channel 0 = log magnitude, 1 = IF).
//
// Log magnitude: ln of the band's mean power, mapped linearly onto [-1, 1] (see logPowerRange; a full-scale
// sine sits 6 dB below +1). IF: the phase advance from the previous frame, divided by pi. For a band we take the
// angle of the power-weighted sum of the bins' phase advances (sum of X_t * conj(X_t-1)): bins of one partial
// agree, and unlike a plain average the result never wraps across +-pi. Frame 0 advances from phase 0, so its
// IF is the frame's own phase (as in GANSynth).
// Inverse: mel bands are spread back onto linear bins (power interpolated between band centres, IF from the
// nearest band), the IF is summed over time into phase, and the inverse STFT gives the audio.
// The same code with an identity filterbank gives the linear-frequency variant (`audioToIfLinear`), whose round
// trip is exact above the dynamic-range floor.
import { StudioError } from '../util/errors.js';
import { linearRowToMel, melFilterbank, type MelFilterbank } from './mel.js';
import type { SpectralPreset } from './presets.js';
import { istft, stft, type ComplexSpectrogram } from './stft.js';

/** [frames, bins, 2] of a preset's IF-Mel spectrogram. */
export function ifMelShape(preset: SpectralPreset): [number, number, number] {
  return [preset.frames, preset.melBins, 2];
}

/**
 * Natural-log power mapped to +1 and -1. +1 is the largest bin power samples in [-1, 1] can make (|X| = sum(hann)
 * = nFft / 2, 6 dB above a full-scale sine), so nothing in range ever clips; -1 is `dynamicRangeDb` below it.
 */
export function logPowerRange(preset: SpectralPreset): { floor: number; ceiling: number } {
  const ceiling = 2 * Math.log(preset.nFft / 2);
  return { floor: ceiling - (preset.dynamicRangeDb * Math.LN10) / 10, ceiling };
}

function bankFor(preset: SpectralPreset): MelFilterbank {
  return melFilterbank({
    sampleRate: preset.sampleRate,
    nFft: preset.nFft,
    melBins: preset.melBins,
    linearBins: preset.linearBins,
    fMinHz: preset.fMinHz,
    fMaxHz: preset.fMaxHz,
  });
}

/** Audio -> IF-Mel, [frames][melBins][2]. Input shorter than preset.samples is zero-padded; longer is cut. */
export function audioToIfMel(samples: Float32Array, preset: SpectralPreset): Float32Array {
  return encode(samples, preset, bankFor(preset));
}

/** IF-Mel ([frames][melBins][2], values in [-1, 1]) -> audio of preset.samples samples. */
export function ifMelToAudio(spec: Float32Array, preset: SpectralPreset): Float32Array {
  return decode(spec, preset, bankFor(preset));
}

/** The linear-frequency variant, [frames][linearBins][2]: no mel averaging, so its round trip is (near) exact. */
export function audioToIfLinear(samples: Float32Array, preset: SpectralPreset): Float32Array {
  return encode(samples, preset, null);
}

export function ifLinearToAudio(spec: Float32Array, preset: SpectralPreset): Float32Array {
  return decode(spec, preset, null);
}

/** Many notes at once: one Float32Array holding [count][frames][melBins][2]. */
export function audioToIfMelBatch(notes: Float32Array[], preset: SpectralPreset): Float32Array {
  const size = preset.frames * preset.melBins * 2;
  const out = new Float32Array(notes.length * size);
  notes.forEach((note, i) => out.set(audioToIfMel(note, preset), i * size));
  return out;
}

/** Splits [count][frames][melBins][2] and inverts each note. */
export function ifMelToAudioBatch(batch: Float32Array, preset: SpectralPreset): Float32Array[] {
  const size = preset.frames * preset.melBins * 2;
  if (batch.length % size !== 0) {
    throw new StudioError('BAD_INPUT', `batch of ${batch.length} values is not a whole number of ${preset.frames}x${preset.melBins}x2 spectrograms`);
  }
  const out: Float32Array[] = [];
  for (let at = 0; at < batch.length; at += size) out.push(ifMelToAudio(batch.subarray(at, at + size), preset));
  return out;
}

function fitLength(samples: Float32Array, length: number): Float32Array {
  if (samples.length === length) return samples;
  const out = new Float32Array(length);
  out.set(samples.subarray(0, Math.min(length, samples.length)));
  return out;
}

function encode(samples: Float32Array, preset: SpectralPreset, bank: MelFilterbank | null): Float32Array {
  const { frames, linearBins } = preset;
  const bands = bank ? bank.melBins : linearBins;
  const spec = stft(fitLength(samples, preset.samples), { nFft: preset.nFft, hop: preset.hop, frames });
  const { floor, ceiling } = logPowerRange(preset);
  const scale = 2 / (ceiling - floor);
  const out = new Float32Array(frames * bands * 2);
  const power = new Float64Array(linearBins);
  const crossRe = new Float64Array(linearBins);
  const crossIm = new Float64Array(linearBins);
  const bandPower = new Float64Array(bands);
  const bandRe = new Float64Array(bands);
  const bandIm = new Float64Array(bands);
  const tiny = Math.exp(floor - 10);
  for (let t = 0; t < frames; t++) {
    const row = t * spec.bins;
    const prev = (t - 1) * spec.bins;
    for (let k = 0; k < linearBins; k++) {
      const re = spec.re[row + k]!;
      const im = spec.im[row + k]!;
      power[k] = re * re + im * im;
      // X_t * conj(X_{t-1}); X_{-1} = 1.
      const pr = t > 0 ? spec.re[prev + k]! : 1;
      const pi = t > 0 ? spec.im[prev + k]! : 0;
      crossRe[k] = re * pr + im * pi;
      crossIm[k] = im * pr - re * pi;
    }
    if (bank) {
      linearRowToMel(bank, power, bandPower);
      linearRowToMel(bank, crossRe, bandRe);
      linearRowToMel(bank, crossIm, bandIm);
    } else {
      bandPower.set(power);
      bandRe.set(crossRe);
      bandIm.set(crossIm);
    }
    const outRow = t * bands * 2;
    for (let m = 0; m < bands; m++) {
      const v = (Math.log(bandPower[m]! + tiny) - floor) * scale - 1;
      out[outRow + 2 * m] = v < -1 ? -1 : v > 1 ? 1 : v;
      out[outRow + 2 * m + 1] = Math.atan2(bandIm[m]!, bandRe[m]!) / Math.PI;
    }
  }
  return out;
}

function decode(spec: Float32Array, preset: SpectralPreset, bank: MelFilterbank | null): Float32Array {
  const { frames, linearBins, nFft, hop } = preset;
  const bands = bank ? bank.melBins : linearBins;
  if (spec.length !== frames * bands * 2) {
    throw new StudioError('BAD_INPUT', `spectrogram has ${spec.length} values, expected ${frames}x${bands}x2 = ${frames * bands * 2} for preset "${preset.name}"`);
  }
  const { floor, ceiling } = logPowerRange(preset);
  const half = (ceiling - floor) / 2;
  const bins = nFft / 2 + 1;
  const complex: ComplexSpectrogram = { frames, bins, re: new Float32Array(frames * bins), im: new Float32Array(frames * bins) };
  // Where each linear bin reads: power interpolated between bands `lower` and `lower + 1` (measured: lower
  // spectral error than interpolating the log), IF from the nearest band, so all bins of a band turn together
  // like the bins of one partial. The linear variant reads its own bin.
  const lower = bank ? bank.inverseLower : Int32Array.from({ length: linearBins }, (_, k) => k);
  const frac = bank ? bank.inverseFrac : new Float64Array(linearBins);
  const nearest = Int32Array.from({ length: linearBins }, (_, k) => Math.min(bands - 1, lower[k]! + (frac[k]! < 0.5 ? 0 : 1)));
  const bandPower = new Float64Array(bands);
  const rotRe = new Float64Array(bands);
  const rotIm = new Float64Array(bands);
  // Each bin's phase as a unit phasor, advanced by its band's rotation every frame (no per-bin trigonometry).
  const phaseRe = new Float64Array(linearBins).fill(1);
  const phaseIm = new Float64Array(linearBins);
  for (let t = 0; t < frames; t++) {
    const inRow = t * bands * 2;
    for (let m = 0; m < bands; m++) {
      const v = spec[inRow + 2 * m]!;
      // The floor is silence, not a -dynamicRangeDb noise floor.
      bandPower[m] = v <= -1 ? 0 : Math.exp(floor + (Math.min(1, v) + 1) * half);
      const angle = Math.PI * spec[inRow + 2 * m + 1]!;
      rotRe[m] = Math.cos(angle);
      rotIm[m] = Math.sin(angle);
    }
    const row = t * bins;
    for (let k = 0; k < linearBins; k++) {
      const lo = lower[k]!;
      const f = frac[k]!;
      const power = f === 0 ? bandPower[lo]! : (1 - f) * bandPower[lo]! + f * bandPower[Math.min(lo + 1, bands - 1)]!;
      const n = nearest[k]!;
      const re = phaseRe[k]! * rotRe[n]! - phaseIm[k]! * rotIm[n]!;
      const im = phaseRe[k]! * rotIm[n]! + phaseIm[k]! * rotRe[n]!;
      phaseRe[k] = re;
      phaseIm[k] = im;
      const magnitude = Math.sqrt(power);
      complex.re[row + k] = magnitude * re;
      complex.im[row + k] = magnitude * im;
    }
  }
  return istft(complex, { nFft, hop, length: preset.samples });
}
