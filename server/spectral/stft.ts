// Short-time Fourier transform and its exact inverse (weighted overlap-add), with fft.js.
// Frames are centred (frame t is centred on sample t * hop; samples outside the signal are zero) and zero-phase
// (the frame is rotated so its centre sits at index 0): the bins of one steady partial then share one phase,
// which is what lets IF-Mel average phase advances across bins.
import FFT from 'fft.js';
import { StudioError } from '../util/errors.js';

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

const fftCache = new Map<number, FFT>();
const windowCache = new Map<number, Float64Array>();

export function fftOfSize(size: number): FFT {
  let fft = fftCache.get(size);
  if (!fft) fftCache.set(size, (fft = new FFT(size)));
  return fft;
}

/** Periodic Hann window (sums to a constant under 75% overlap). */
export function hannWindow(size: number): Float64Array {
  let w = windowCache.get(size);
  if (!w) {
    w = new Float64Array(size);
    for (let i = 0; i < size; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
    windowCache.set(size, w);
  }
  return w;
}

function checkSizes(nFft: number, hop: number): void {
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0) throw new StudioError('BAD_INPUT', `nFft ${nFft} must be a power of two >= 4`);
  if (!Number.isInteger(hop) || hop < 1 || hop > nFft) throw new StudioError('BAD_INPUT', `hop ${hop} must be an integer in 1..nFft`);
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
  const fft = fftOfSize(nFft);
  const window = hannWindow(nFft);
  const acc = new Float64Array(length);
  const norm = new Float64Array(length);
  const full = fft.createComplexArray() as number[];
  const time = fft.createComplexArray() as number[];
  // Two real frames per complex inverse FFT: ifft(X_a + i X_b) = x_a + i x_b.
  for (let t = 0; t < spec.frames; t += 2) {
    const a = t * spec.bins;
    const hasB = t + 1 < spec.frames;
    const b = (t + 1) * spec.bins;
    for (let k = 0; k <= half; k++) {
      const edge = k === 0 || k === half; // DC and Nyquist of a real frame are real
      const aRe = spec.re[a + k]!;
      const aIm = edge ? 0 : spec.im[a + k]!;
      const bRe = hasB ? spec.re[b + k]! : 0;
      const bIm = hasB && !edge ? spec.im[b + k]! : 0;
      full[2 * k] = aRe - bIm;
      full[2 * k + 1] = aIm + bRe;
      if (!edge) {
        // Bin nFft - k holds conj(X_a[k]) + i conj(X_b[k]).
        full[2 * (nFft - k)] = aRe + bIm;
        full[2 * (nFft - k) + 1] = -aIm + bRe;
      }
    }
    fft.inverseTransform(time, full);
    for (const [frame, part] of hasB ? ([[t, 0], [t + 1, 1]] as const) : ([[t, 0]] as const)) {
      const start = frame * hop - half;
      for (let j = 0; j < nFft; j++) {
        const i = start + j;
        if (i < 0 || i >= length) continue;
        const w = window[j]!;
        acc[i]! += time[2 * ((j + half) & (nFft - 1)) + part]! * w;
        norm[i]! += w * w;
      }
    }
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = norm[i]! > 1e-8 ? acc[i]! / norm[i]! : 0;
  return out;
}
