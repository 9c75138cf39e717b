/**
 * What the note view draws: a magnitude spectrogram in decibels (Hann-windowed STFT), read out on a log-frequency
 * axis so a note's partials are evenly spaced by octave, and a min/max waveform envelope per pixel column.
 * Pure: arrays in, arrays out; drawing is note-view.ts's job.
 */
import FFT from 'fft.js';

export interface SpectrogramOptions {
  /** FFT size (a power of two). */
  nFft?: number;
  hop?: number;
  /** Values below this many dB under the loudest cell are clipped (the colour map's range). */
  rangeDb?: number;
}

export const spectrogramDefaults: Required<SpectrogramOptions> = { nFft: 1024, hop: 256, rangeDb: 80 };

/** Magnitudes in dB relative to the loudest cell (0 dB), clipped at -rangeDb; laid out [frame][bin]. */
export interface Spectrogram {
  frames: number;
  bins: number;
  sampleRate: number;
  nFft: number;
  hop: number;
  rangeDb: number;
  db: Float32Array;
}

export function spectrogram(samples: Float32Array, sampleRate: number, options: SpectrogramOptions = {}): Spectrogram {
  const { nFft, hop, rangeDb } = { ...spectrogramDefaults, ...options };
  if (!Number.isInteger(Math.log2(nFft)) || nFft < 16) throw new Error(`spectrogram: nFft must be a power of two >= 16, got ${nFft}`);
  if (!Number.isInteger(hop) || hop < 1) throw new Error(`spectrogram: hop must be a positive integer, got ${hop}`);
  const bins = nFft / 2 + 1;
  const frames = Math.max(1, Math.floor(samples.length / hop) + 1);
  const fft = new FFT(nFft);
  const window = new Float64Array(nFft);
  for (let i = 0; i < nFft; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft);
  const frame = new Array<number>(nFft).fill(0);
  const spectrum = fft.createComplexArray() as number[];
  const power = new Float32Array(frames * bins);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    // Frames are centred on f * hop; samples outside the signal count as silence.
    const start = f * hop - nFft / 2;
    for (let i = 0; i < nFft; i++) {
      const s = start + i;
      frame[i] = s >= 0 && s < samples.length ? samples[s]! * window[i]! : 0;
    }
    fft.realTransform(spectrum, frame);
    for (let b = 0; b < bins; b++) {
      const re = spectrum[2 * b]!;
      const im = spectrum[2 * b + 1]!;
      const p = re * re + im * im;
      power[f * bins + b] = p;
      if (p > peak) peak = p;
    }
  }
  const db = new Float32Array(frames * bins);
  const floor = peak * 10 ** (-rangeDb / 10);
  for (let i = 0; i < db.length; i++) {
    db[i] = peak > 0 ? 10 * Math.log10(Math.max(power[i]!, floor) / peak) : -rangeDb;
  }
  return { frames, bins, sampleRate, nFft, hop, rangeDb, db };
}

/**
 * For each of `rows` display rows (row 0 at the top = highest frequency), the fractional FFT bin it shows, spaced
 * evenly in log frequency from `minHz` to Nyquist.
 */
export function logFrequencyRows(rows: number, spec: Pick<Spectrogram, 'bins' | 'sampleRate' | 'nFft'>, minHz = 40): Float32Array {
  const nyquist = spec.sampleRate / 2;
  const low = Math.log(Math.min(minHz, nyquist / 2));
  const high = Math.log(nyquist);
  const binHz = spec.sampleRate / spec.nFft;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const t = rows === 1 ? 0 : 1 - r / (rows - 1);
    out[r] = Math.min(spec.bins - 1, Math.exp(low + t * (high - low)) / binHz);
  }
  return out;
}

/** dB at a fractional bin of one frame, interpolated linearly between neighbouring bins. */
export function dbAt(spec: Spectrogram, frame: number, bin: number): number {
  const b0 = Math.floor(bin);
  const b1 = Math.min(spec.bins - 1, b0 + 1);
  const t = bin - b0;
  const row = frame * spec.bins;
  return spec.db[row + b0]! * (1 - t) + spec.db[row + b1]! * t;
}

/** The lowest and highest sample under each of `columns` pixel columns (two arrays of length `columns`). */
export function waveformEnvelope(samples: Float32Array, columns: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(columns);
  const max = new Float32Array(columns);
  if (samples.length === 0) return { min, max };
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * samples.length) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * samples.length) / columns));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to && i < samples.length; i++) {
      const v = samples[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[c] = lo === Infinity ? 0 : lo;
    max[c] = hi === -Infinity ? 0 : hi;
  }
  return { min, max };
}
