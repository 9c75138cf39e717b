// The inverse STFT as a stream: the caller fills one frame's bins at a time (in frame order) and gets the audio.
// Everything that depends only on the sizes (FFT tables, window, the summed squared window of the overlap-add,
// scratch buffers) is made once per size and kept, so inverting a note allocates nothing but its output.
// Two real frames go through one complex inverse FFT: ifft(X_a + i X_b) = x_a + i x_b.
import FFT from 'fft.js';
import { StudioError } from '../util/errors.js';

export interface StftSynthesisOptions {
  /** FFT size and window length (a power of two >= 4). */
  nFft: number;
  hop: number;
  frames: number;
  /** Output length in samples. */
  length: number;
}

/**
 * Fills frame `t`'s bins 0..nFft/2 (DC .. Nyquist) into `re` and `im`; both arrive holding stale values, so every
 * bin must be written. The imaginary parts of DC and Nyquist are ignored (a real frame has none).
 */
export type FrameFiller = (t: number, re: Float64Array, im: Float64Array) => void;

const plans = new Map<string, StftSynthesis>();

/** Periodic Hann window (sums to a constant under 75% overlap), one shared copy per size. */
const windows = new Map<number, Float64Array>();
export function hannWindow(size: number): Float64Array {
  let w = windows.get(size);
  if (!w) {
    w = new Float64Array(size);
    for (let i = 0; i < size; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
    windows.set(size, w);
  }
  return w;
}

const ffts = new Map<number, FFT>();
export function fftOfSize(size: number): FFT {
  let fft = ffts.get(size);
  if (!fft) ffts.set(size, (fft = new FFT(size)));
  return fft;
}

export function checkStftSizes(nFft: number, hop: number): void {
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0) throw new StudioError('BAD_INPUT', `nFft ${nFft} must be a power of two >= 4`);
  if (!Number.isInteger(hop) || hop < 1 || hop > nFft) throw new StudioError('BAD_INPUT', `hop ${hop} must be an integer in 1..nFft`);
}

export class StftSynthesis {
  readonly nFft: number;
  readonly hop: number;
  readonly frames: number;
  readonly length: number;
  private readonly fft: FFT;
  private readonly window: Float64Array;
  /** 1 / (summed squared window) per output sample, 0 where no frame reaches. */
  private readonly gain: Float64Array;
  private readonly acc: Float64Array;
  private readonly aRe: Float64Array;
  private readonly aIm: Float64Array;
  private readonly bRe: Float64Array;
  private readonly bIm: Float64Array;
  private readonly full: number[];
  private readonly time: number[];
  private busy = false;

  /** The shared plan for these sizes. */
  static of(options: StftSynthesisOptions): StftSynthesis {
    const key = `${options.nFft}:${options.hop}:${options.frames}:${options.length}`;
    let plan = plans.get(key);
    if (!plan) plans.set(key, (plan = new StftSynthesis(options)));
    return plan;
  }

  private constructor({ nFft, hop, frames, length }: StftSynthesisOptions) {
    checkStftSizes(nFft, hop);
    if (!Number.isInteger(frames) || frames < 0) throw new StudioError('BAD_INPUT', `frames ${frames} must be a non-negative integer`);
    if (!Number.isInteger(length) || length < 0) throw new StudioError('BAD_INPUT', `length ${length} must be a non-negative integer`);
    this.nFft = nFft;
    this.hop = hop;
    this.frames = frames;
    this.length = length;
    this.fft = fftOfSize(nFft);
    this.window = hannWindow(nFft);
    const half = nFft / 2;
    const norm = new Float64Array(length);
    for (let t = 0; t < frames; t++) {
      const start = t * hop - half;
      const [from, to] = this.reach(start);
      for (let j = from; j < to; j++) norm[start + j]! += this.window[j]! * this.window[j]!;
    }
    this.gain = norm.map((n) => (n > 1e-8 ? 1 / n : 0));
    this.acc = new Float64Array(length);
    this.aRe = new Float64Array(half + 1);
    this.aIm = new Float64Array(half + 1);
    this.bRe = new Float64Array(half + 1);
    this.bIm = new Float64Array(half + 1);
    this.full = this.fft.createComplexArray() as number[];
    this.time = this.fft.createComplexArray() as number[];
  }

  /** Window indices j of a frame starting at sample `start` that land inside the output. */
  private reach(start: number): [number, number] {
    return [Math.max(0, -start), Math.min(this.nFft, this.length - start)];
  }

  /** Audio of `length` samples from frames 0 .. frames - 1, filled in order by `fill`. */
  run(fill: FrameFiller): Float32Array {
    // The scratch buffers are the plan's own: a filler that inverts another spectrogram of the same sizes would
    // overwrite them (single-threaded JS makes this the only way to get here twice).
    if (this.busy) throw new StudioError('INTERNAL', 'StftSynthesis.run re-entered from its own frame filler');
    this.busy = true;
    try {
      const { frames, nFft, aRe, aIm, bRe, bIm, full, time, acc } = this;
      const half = nFft / 2;
      acc.fill(0);
      for (let t = 0; t < frames; t += 2) {
        fill(t, aRe, aIm);
        const hasB = t + 1 < frames;
        if (hasB) fill(t + 1, bRe, bIm);
        else {
          bRe.fill(0);
          bIm.fill(0);
        }
        // DC and Nyquist of a real frame are real.
        full[0] = aRe[0]!;
        full[1] = bRe[0]!;
        full[2 * half] = aRe[half]!;
        full[2 * half + 1] = bRe[half]!;
        for (let k = 1; k < half; k++) {
          const ar = aRe[k]!;
          const ai = aIm[k]!;
          const br = bRe[k]!;
          const bi = bIm[k]!;
          full[2 * k] = ar - bi;
          full[2 * k + 1] = ai + br;
          // Bin nFft - k holds conj(X_a[k]) + i conj(X_b[k]).
          full[2 * (nFft - k)] = ar + bi;
          full[2 * (nFft - k) + 1] = br - ai;
        }
        this.fft.inverseTransform(time, full);
        this.overlapAdd(t, 0);
        if (hasB) this.overlapAdd(t + 1, 1);
      }
      const out = new Float32Array(this.length);
      const gain = this.gain;
      for (let i = 0; i < out.length; i++) out[i] = acc[i]! * gain[i]!;
      return out;
    } finally {
      this.busy = false;
    }
  }

  /** Adds frame `t` (real part 0 or imaginary part 1 of the FFT output), windowed, at its place. */
  private overlapAdd(t: number, part: 0 | 1): void {
    const { nFft, window, time, acc } = this;
    const half = nFft / 2;
    const start = t * this.hop - half;
    const [from, to] = this.reach(start);
    // Zero-phase frames: window index j reads time sample (j + half) mod nFft.
    for (let j = from; j < Math.min(to, half); j++) acc[start + j]! += time[2 * (j + half) + part]! * window[j]!;
    for (let j = Math.max(from, half); j < to; j++) acc[start + j]! += time[2 * (j - half) + part]! * window[j]!;
  }
}
