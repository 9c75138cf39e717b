// Short-time Fourier transform and its exact inverse (weighted overlap-add), with fft.js.
// Frames are centred (frame t is centred on sample t * hop; samples outside the signal are zero) and zero-phase
// (the frame is rotated so its centre sits at index 0): the bins of one steady partial then share one phase,
// which is what lets IF-Mel average phase advances across bins.
import { StudioError } from '../util/errors.js';
import { checkStftSizes as checkSizes, fftOfSize, hannWindow, StftSynthesis } from './synthesis.js';

export interface StftOptions {
  /** FFT size and window length (a power of two). */
  nFft: number;
  hop: number;
  /** Number of frames; default floor(length / hop) + 1 (every sample inside a frame centre's reach). */
  frames?: number;
}

/** A complex spectrogram laid out [frame][bin], bins = nFft / 2 + 1 (DC .. Nyquist). */
export interface ComplexSpectrogram {
  frames: number;
  bins: number;
  re: Float32Array;
  im: Float32Array;
}


export function stft(samples: Float32Array, options: StftOptions): ComplexSpectrogram {
  const { nFft, hop } = options;
  checkSizes(nFft, hop);
  const frames = options.frames ?? Math.floor(samples.length / hop) + 1;
  const bins = nFft / 2 + 1;
  const half = nFft / 2;
  const fft = fftOfSize(nFft);
  const window = hannWindow(nFft);
  const frame = new Float64Array(nFft);
  const spectrum = fft.createComplexArray() as number[];
  const re = new Float32Array(frames * bins);
  const im = new Float32Array(frames * bins);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    // Zero-phase: window sample j lands at index (j - half) mod nFft.
    for (let j = 0; j < nFft; j++) {
      const i = start + j;
      const x = i >= 0 && i < samples.length ? samples[i]! : 0;
      frame[(j + half) & (nFft - 1)] = x * window[j]!;
    }
    fft.realTransform(spectrum, frame);
    const row = t * bins;
    for (let k = 0; k < bins; k++) {
      re[row + k] = spectrum[2 * k]!;
      im[row + k] = spectrum[2 * k + 1]!;
    }
  }
  return { frames, bins, re, im };
}

export interface IstftOptions {
  nFft: number;
  hop: number;
  /** Output length in samples; default (frames - 1) * hop. */
  length?: number;
}

/**
 * Inverse STFT by weighted overlap-add with the same Hann window, divided by the summed squared window:
 * exact (to float precision) for any spectrogram that came from `stft` with the same sizes.
 */
export function istft(spec: ComplexSpectrogram, options: IstftOptions): Float32Array {
  const { nFft, hop } = options;
  checkSizes(nFft, hop);
  const half = nFft / 2;
  if (spec.bins !== half + 1) throw new StudioError('BAD_INPUT', `spectrogram has ${spec.bins} bins, expected ${half + 1} for nFft ${nFft}`);
  const length = options.length ?? (spec.frames - 1) * hop;
  const bins = spec.bins;
  return StftSynthesis.of({ nFft, hop, frames: spec.frames, length }).run((t, re, im) => {
    const row = t * bins;
    for (let k = 0; k < bins; k++) {
      re[k] = spec.re[row + k]!;
      im[k] = spec.im[row + k]!;
    }
  });
}
