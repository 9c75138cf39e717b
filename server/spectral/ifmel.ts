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
import { stft } from './stft.js';
import { StftSynthesis } from './synthesis.js';

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

/** The mel filterbank of a preset's IF-Mel bands (cached by melFilterbank). */
export function presetFilterbank(preset: SpectralPreset): MelFilterbank {
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
  return encode(samples, preset, presetFilterbank(preset));
}

export interface DecodeOptions {
  /**
   * Cells less than this many dB above the floor decode as silence too (default 0: only the floor itself). For
   * generated images, whose tanh output comes near -1 but never reaches it (see gansynth/decode-note.ts).
   */
  silentWithinDb?: number;
}

/** IF-Mel ([frames][melBins][2], values in [-1, 1]) -> audio of preset.samples samples. */
export function ifMelToAudio(spec: Float32Array, preset: SpectralPreset, options: DecodeOptions = {}): Float32Array {
  return decode(spec, preset, presetFilterbank(preset), options);
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

/** What inverting one preset's spectrograms needs besides the spectrogram: made once per preset and kept. */
interface InversePlan {
  bands: number;
  linearBins: number;
  floor: number;
  /** Half the log-power range: v in [-1, 1] -> floor + (v + 1) * halfRange. */
  halfRange: number;
  /** Linear bin k: power from bands lower[k] and upper[k] (weights 1 - frac[k], frac[k]), phase from nearest[k]. */
  lower: Int32Array;
  upper: Int32Array;
  frac: Float64Array;
  nearest: Int32Array;
  /** Scratch, per band: power of the current frame and the running phase as a unit phasor. */
  bandPower: Float64Array;
  phaseRe: Float64Array;
  phaseIm: Float64Array;
  synthesis: StftSynthesis;
}

const inversePlans = new Map<string, InversePlan>();

function inversePlanFor(preset: SpectralPreset, bank: MelFilterbank | null): InversePlan {
  const { frames, linearBins, nFft, hop, samples } = preset;
  const key = [bank ? 'mel' : 'linear', preset.sampleRate, nFft, hop, frames, preset.melBins, linearBins, preset.fMinHz, preset.fMaxHz, preset.dynamicRangeDb, samples].join(':');
  const cached = inversePlans.get(key);
  if (cached) return cached;
  const bands = bank ? bank.melBins : linearBins;
  const { floor, ceiling } = logPowerRange(preset);
  // Where each linear bin reads: power interpolated between bands `lower` and `lower + 1` (measured: lower
  // spectral error than interpolating the log), IF from the nearest band, so all bins of a band turn together
  // like the bins of one partial. The linear variant reads its own bin.
  const lower = bank ? bank.inverseLower : Int32Array.from({ length: linearBins }, (_, k) => k);
  const frac = bank ? bank.inverseFrac : new Float64Array(linearBins);
  const plan: InversePlan = {
    bands,
    linearBins,
    floor,
    halfRange: (ceiling - floor) / 2,
    lower,
    upper: lower.map((lo) => Math.min(lo + 1, bands - 1)),
    frac,
    nearest: Int32Array.from({ length: linearBins }, (_, k) => Math.min(bands - 1, lower[k]! + (frac[k]! < 0.5 ? 0 : 1))),
    bandPower: new Float64Array(bands),
    phaseRe: new Float64Array(bands),
    phaseIm: new Float64Array(bands),
    synthesis: StftSynthesis.of({ nFft, hop, frames, length: samples }),
  };
  inversePlans.set(key, plan);
  return plan;
}

function decode(spec: Float32Array, preset: SpectralPreset, bank: MelFilterbank | null, options: DecodeOptions = {}): Float32Array {
  const { frames, linearBins } = preset;
  const bands = bank ? bank.melBins : linearBins;
  if (spec.length !== frames * bands * 2) {
    throw new StudioError('BAD_INPUT', `spectrogram has ${spec.length} values, expected ${frames}x${bands}x2 = ${frames * bands * 2} for preset "${preset.name}"`);
  }
  const plan = inversePlanFor(preset, bank);
  const { floor, halfRange, lower, upper, frac, nearest, bandPower, phaseRe, phaseIm } = plan;
  const silentAtOrBelow = -1 + (2 * (options.silentWithinDb ?? 0)) / preset.dynamicRangeDb;
  // Each band's phase as a unit phasor, advanced by the band's rotation every frame (no per-bin trigonometry);
  // every bin takes the phasor of its nearest band.
  phaseRe.fill(1);
  phaseIm.fill(0);
  return plan.synthesis.run((t, re, im) => {
    const inRow = t * bands * 2;
    for (let m = 0; m < bands; m++) {
      const v = spec[inRow + 2 * m]!;
      // The floor is silence, not a -dynamicRangeDb noise floor.
      bandPower[m] = v <= silentAtOrBelow ? 0 : Math.exp(floor + (Math.min(1, v) + 1) * halfRange);
      const angle = Math.PI * spec[inRow + 2 * m + 1]!;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const pr = phaseRe[m]!;
      const pi = phaseIm[m]!;
      phaseRe[m] = pr * c - pi * s;
      phaseIm[m] = pr * s + pi * c;
    }
    for (let k = 0; k < linearBins; k++) {
      const f = frac[k]!;
      const power = f === 0 ? bandPower[lower[k]!]! : (1 - f) * bandPower[lower[k]!]! + f * bandPower[upper[k]!]!;
      const magnitude = Math.sqrt(power);
      const n = nearest[k]!;
      re[k] = magnitude * phaseRe[n]!;
      im[k] = magnitude * phaseIm[n]!;
    }
    // Bins above linearBins (the Nyquist bin) are silent.
    for (let k = linearBins; k < re.length; k++) {
      re[k] = 0;
      im[k] = 0;
    }
  });
}
