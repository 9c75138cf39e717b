// Fundamental-frequency estimation with YIN (de Cheveigne & Kawahara 2002) over several windows of a note.
// Each window is normalised (mean removed, peak 1) before analysis: quiet notes are judged like loud ones, and the
// estimate never depends on the recording level. The difference function uses an FFT cross-correlation.
import FFT from 'fft.js';

export interface F0Options {
  /** Lowest pitch searched, Hz (default 27.5, A0). */
  minHz?: number;
  /** Highest pitch searched, Hz (default 2100, just above C7). */
  maxHz?: number;
  /**
   * A dip of YIN's normalised difference within this much of the deepest dip counts as a period candidate, and
   * the shortest candidate wins (default 0.1; YIN's absolute threshold, made relative to the window).
   */
  margin?: number;
  /** Integration window, seconds (default 0.04). */
  windowSeconds?: number;
  /** Skip the attack: analysis starts here, seconds (default 0.05; less when the input is short). */
  startSeconds?: number;
  /** Windows quieter than the loudest one by more than this are ignored, dB (default 35). */
  silenceDb?: number;
  /** At most this many windows, spread evenly over the analysed span (default 20). */
  maxWindows?: number;
}

export const f0Defaults: Required<F0Options> = {
  minHz: 27.5,
  maxHz: 2100,
  margin: 0.1,
  windowSeconds: 0.04,
  startSeconds: 0.05,
  silenceDb: 35,
  maxWindows: 20,
};

export interface F0Estimate {
  /** Fundamental frequency, Hz. */
  hz: number;
  /** Fractional MIDI pitch (69 = A4 = 440 Hz). */
  midi: number;
  /** Deviation from the nearest equal-tempered pitch, cents in [-50, 50]. */
  cents: number;
  /**
   * 0..1: the share of sounding windows that agree with `hz` within 50 cents, times their median periodicity
   * (1 - YIN aperiodicity). Clean tonal notes score above 0.8; noise, bells and silence score low.
   */
  confidence: number;
}

export function midiToHz(midiPitch: number): number {
  return 440 * 2 ** ((midiPitch - 69) / 12);
}

export function hzToMidi(hz: number): number {
  return 69 + 12 * Math.log2(hz / 440);
}

/** Signed distance from `referenceHz` to `hz`, in cents (1200 per octave). */
export function centsBetween(hz: number, referenceHz: number): number {
  return 1200 * Math.log2(hz / referenceHz);
}

interface WindowEstimate {
  hz: number;
  aperiodicity: number;
}

/**
 * Estimates the fundamental of a (mostly) single-pitched sound. Returns null when the input is silent or shorter
 * than one analysis window; otherwise an estimate whose `confidence` says how much to trust it.
 */
export function estimateF0(samples: Float32Array, sampleRate: number, options: F0Options = {}): F0Estimate | null {
  const opts = { ...f0Defaults, ...options };
  const minLag = Math.max(2, Math.floor(sampleRate / opts.maxHz));
  const maxLag = Math.ceil(sampleRate / opts.minHz);
  const width = Math.max(Math.round(opts.windowSeconds * sampleRate), minLag * 2);
  const span = width + maxLag + 2;
  if (samples.length < span) {
    // Too short for the lowest pitch: shrink the search range rather than give up on short clips.
    const shortMaxLag = samples.length - width - 2;
    if (shortMaxLag <= minLag * 2) return null;
    return estimateF0(samples, sampleRate, { ...options, minHz: sampleRate / shortMaxLag });
  }
  let start = Math.round(opts.startSeconds * sampleRate);
  if (start + span > samples.length) start = 0;
  const available = samples.length - start - span;
  const count = Math.max(1, Math.min(opts.maxWindows, Math.floor(available / (width / 2)) + 1));
  const step = count > 1 ? available / (count - 1) : 0;

  const energies: number[] = [];
  const offsets: number[] = [];
  for (let w = 0; w < count; w++) {
    const at = start + Math.round(w * step);
    offsets.push(at);
    let e = 0;
    for (let i = at; i < at + width; i++) e += samples[i]! * samples[i]!;
    energies.push(e / width);
  }
  const loudest = Math.max(...energies);
  if (!(loudest > 1e-14)) return null;
  const floor = loudest * 10 ** (-opts.silenceDb / 10);
  const windows: WindowEstimate[] = [];
  for (let w = 0; w < count; w++) {
    if (energies[w]! < floor) continue;
    const est = yinWindow(samples.subarray(offsets[w]!, offsets[w]! + span), sampleRate, width, minLag, maxLag, opts.margin);
    if (est) windows.push(est);
  }
  if (windows.length === 0) return null;
  return summarise(windows);
}

/** Combines window estimates: a periodicity-weighted median in log frequency, robust to a few octave slips. */
function summarise(windows: WindowEstimate[]): F0Estimate {
  const weighted = windows
    .map((w) => ({ logHz: Math.log2(w.hz), weight: Math.max(1e-3, 1 - w.aperiodicity) ** 2 }))
    .sort((a, b) => a.logHz - b.logHz);
  const total = weighted.reduce((s, w) => s + w.weight, 0);
  let acc = 0;
  let logHz = weighted[weighted.length - 1]!.logHz;
  for (const w of weighted) {
    acc += w.weight;
    if (acc >= total / 2) {
      logHz = w.logHz;
      break;
    }
  }
  const hz = 2 ** logHz;
  const agreeing = windows.filter((w) => Math.abs(centsBetween(w.hz, hz)) <= 50);
  const clarity = median(agreeing.map((w) => 1 - w.aperiodicity));
  const confidence = Math.max(0, Math.min(1, (agreeing.length / windows.length) * clarity));
  const midi = hzToMidi(hz);
  return { hz, midi, cents: 100 * (midi - Math.round(midi)), confidence };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** YIN on one window: `segment` holds width + maxLag (+2) samples. */
function yinWindow(
  segment: Float32Array,
  sampleRate: number,
  width: number,
  minLag: number,
  maxLag: number,
  margin: number,
): WindowEstimate | null {
  const n = segment.length;
  // Normalise: remove the mean, scale to peak 1.
  let mean = 0;
  for (let i = 0; i < n; i++) mean += segment[i]!;
  mean /= n;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(segment[i]! - mean));
  if (!(peak > 0)) return null;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (segment[i]! - mean) / peak;

  // d(tau) = E(0..W) + E(tau..tau+W) - 2 r(tau), with r from one FFT cross-correlation.
  const r = crossCorrelate(x, width, maxLag + 1);
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + x[i]! * x[i]!;
  const e0 = prefix[width]!;
  const top = maxLag + 1;
  const cmnd = new Float64Array(top + 1);
  cmnd[0] = 1;
  let running = 0;
  const diff = new Float64Array(top + 1);
  for (let tau = 1; tau <= top; tau++) {
    const d = Math.max(0, e0 + prefix[tau + width]! - prefix[tau]! - 2 * r[tau]!);
    diff[tau] = d;
    running += d;
    cmnd[tau] = running > 0 ? (d * tau) / running : 1;
  }
  // YIN picks the first dip under an absolute threshold; a fixed threshold either misses the true period of
  // inharmonic notes (low piano) or stops at half the period when the 2nd harmonic dominates (organ, guitar).
  // Made relative: every local minimum within `margin` of the deepest one is a candidate; the shortest wins.
  let deepest = minLag;
  for (let tau = minLag + 1; tau <= maxLag; tau++) if (cmnd[tau]! < cmnd[deepest]!) deepest = tau;
  const limit = cmnd[deepest]! + margin;
  let best = deepest;
  for (let tau = minLag; tau < deepest; tau++) {
    if (cmnd[tau]! <= limit && cmnd[tau]! <= cmnd[tau - 1]! && cmnd[tau]! <= cmnd[tau + 1]!) {
      best = tau;
      break;
    }
  }
  // Parabolic interpolation of the raw difference (YIN's step 5) for a sub-sample period.
  let period = best;
  if (best > 1 && best < top) {
    const a = diff[best - 1]!;
    const b = diff[best]!;
    const c = diff[best + 1]!;
    const denom = a - 2 * b + c;
    if (denom > 0) period = best + (0.5 * (a - c)) / denom;
  }
  return { hz: sampleRate / period, aperiodicity: Math.max(0, Math.min(1, cmnd[best]!)) };
}

interface CorrelationBuffers {
  fft: FFT;
  a: Float64Array;
  b: Float64Array;
  fa: Float64Array;
  fb: Float64Array;
  prod: Float64Array;
  out: Float64Array;
}

const bufferCache = new Map<number, CorrelationBuffers>();
function buffersOf(size: number): CorrelationBuffers {
  let buf = bufferCache.get(size);
  if (!buf) {
    const complex = (): Float64Array => new Float64Array(2 * size);
    buf = { fft: new FFT(size), a: new Float64Array(size), b: new Float64Array(size), fa: complex(), fb: complex(), prod: complex(), out: complex() };
    bufferCache.set(size, buf);
  }
  return buf;
}

/** r[tau] = sum_{j < width} x[j] x[j + tau], tau = 0 .. lags-1, via FFT (no wrap-around: size >= x.length). */
function crossCorrelate(x: Float64Array, width: number, lags: number): Float64Array {
  let size = 1;
  while (size < x.length + 1) size <<= 1;
  const { fft, a, b, fa, fb, prod, out } = buffersOf(size);
  a.fill(0);
  b.fill(0);
  for (let i = 0; i < width; i++) a[i] = x[i]!;
  b.set(x);
  fft.realTransform(fa, a);
  fft.realTransform(fb, b);
  // conj(A) * B on the lower half; the upper half is its mirror (real inputs), conjugated.
  const half = size / 2;
  for (let k = 0; k <= half; k++) {
    const ar = fa[2 * k]!;
    const ai = fa[2 * k + 1]!;
    const br = fb[2 * k]!;
    const bi = fb[2 * k + 1]!;
    prod[2 * k] = ar * br + ai * bi;
    prod[2 * k + 1] = ar * bi - ai * br;
  }
  for (let k = half + 1; k < size; k++) {
    prod[2 * k] = prod[2 * (size - k)]!;
    prod[2 * k + 1] = -prod[2 * (size - k) + 1]!;
  }
  fft.inverseTransform(out, prod);
  const r = new Float64Array(lags);
  for (let t = 0; t < lags; t++) r[t] = out[2 * t]!;
  return r;
}
