// Band-limited sample-rate conversion: a Kaiser-windowed sinc evaluated at each output instant, read from a finely
// sampled kernel table (linear interpolation between table points keeps the error near -100 dB). Works for any pair
// of rates, not only small integer ratios.
import { StudioError } from '../util/errors.js';

export interface ResampleOptions {
  /** Kernel half-width in zero crossings of the sinc at the lower rate; longer = sharper transition (default 48). */
  zeroCrossings?: number;
  /** Kaiser window beta; ~10 gives ~100 dB stop-band rejection (default 10). */
  kaiserBeta?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency (default 0.9: pass band to ~0.83, stop band from 1.0). */
  cutoff?: number;
}

export const resampleDefaults: Required<ResampleOptions> = { zeroCrossings: 48, kaiserBeta: 10, cutoff: 0.9 };

const TABLE_STEPS_PER_CROSSING = 512;

interface Kernel {
  table: Float64Array;
  zeroCrossings: number;
}

const kernelCache = new Map<string, Kernel>();

/** Modified Bessel function of the first kind, order 0 (series; converges fast for the betas used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** sinc(u) * kaiser(u / zeroCrossings) for u in zero-crossing units, u = 0 .. zeroCrossings. */
function kernelTable(zeroCrossings: number, beta: number): Kernel {
  const key = `${zeroCrossings}:${beta}`;
  const cached = kernelCache.get(key);
  if (cached) return cached;
  const n = zeroCrossings * TABLE_STEPS_PER_CROSSING;
  const table = new Float64Array(n + 2);
  const norm = besselI0(beta);
  for (let i = 0; i <= n; i++) {
    const u = i / TABLE_STEPS_PER_CROSSING;
    const r = u / zeroCrossings;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
    const sinc = i === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    table[i] = sinc * window;
  }
  const kernel = { table, zeroCrossings };
  kernelCache.set(key, kernel);
  return kernel;
}

/**
 * Converts `samples` from `fromRate` to `toRate` (Hz). Output length is round(length * toRate / fromRate).
 * When downsampling, content above the new Nyquist frequency is removed before it can alias.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0) || !Number.isFinite(fromRate) || !Number.isFinite(toRate)) {
    throw new StudioError('BAD_INPUT', `cannot resample from ${fromRate} Hz to ${toRate} Hz`);
  }
  if (fromRate === toRate) return Float32Array.from(samples);
  const { zeroCrossings, kaiserBeta, cutoff } = { ...resampleDefaults, ...options };
  const { table } = kernelTable(zeroCrossings, kaiserBeta);
  const ratio = toRate / fromRate;
  // Cut-off in cycles per input sample; the sinc's zero crossings are 1 / (2 fc) input samples apart.
  const fc = 0.5 * Math.min(1, ratio) * cutoff;
  const crossingsPerInput = 2 * fc;
  const halfWidth = zeroCrossings / crossingsPerInput; // in input samples
  const gain = crossingsPerInput; // makes the kernel sum to 1 at DC
  const outLength = Math.round(samples.length * ratio);
  const bank = polyphaseBank(fromRate, toRate, table, crossingsPerInput, halfWidth, gain);
  if (bank) return resamplePolyphase(samples, outLength, bank);
  const out = new Float32Array(outLength);
  const steps = TABLE_STEPS_PER_CROSSING;
  const last = samples.length - 1;
  for (let n = 0; n < outLength; n++) {
    const x = n / ratio; // output instant in input-sample units
    const first = Math.max(0, Math.ceil(x - halfWidth));
    const end = Math.min(last, Math.floor(x + halfWidth));
    let acc = 0;
    for (let i = first; i <= end; i++) {
      const pos = Math.abs(x - i) * crossingsPerInput * steps;
      const j = pos | 0;
      const frac = pos - j;
      acc += samples[i]! * (table[j]! + frac * (table[j + 1]! - table[j]!));
    }
    out[n] = acc * gain;
  }
  return out;
}

/**
 * For integer rates with a small reduced ratio (44.1k -> 16k is 160/441) every output sample falls on one of
 * `phases` fractional positions: precompute one coefficient row per phase, then each output is a plain dot product.
 */
interface PolyphaseBank {
  phases: number;
  step: number; // input samples advanced per `phases` outputs
  taps: number;
  /** Offset of tap 0 from floor(x): x - (taps / 2 - 1). */
  lead: number;
  coefficients: Float32Array; // [phase][tap]
}

const MAX_BANK_COEFFICIENTS = 1 << 21;
const bankCache = new Map<string, PolyphaseBank>();

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function polyphaseBank(fromRate: number, toRate: number, table: Float64Array, crossingsPerInput: number, halfWidth: number, gain: number): PolyphaseBank | null {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate)) return null;
  const g = gcd(fromRate, toRate);
  const phases = toRate / g;
  const step = fromRate / g;
  const lead = Math.ceil(halfWidth);
  const taps = 2 * lead;
  if (phases * taps > MAX_BANK_COEFFICIENTS) return null;
  const key = `${fromRate}:${toRate}:${table.length}:${crossingsPerInput}`;
  const cached = bankCache.get(key);
  if (cached) return cached;
  const coefficients = new Float32Array(phases * taps);
  const steps = TABLE_STEPS_PER_CROSSING;
  for (let p = 0; p < phases; p++) {
    const frac = p / phases; // x - floor(x)
    for (let t = 0; t < taps; t++) {
      const distance = Math.abs(frac - (t - lead + 1)); // tap t reads input floor(x) - lead + 1 + t
      if (distance >= halfWidth) continue;
      const pos = distance * crossingsPerInput * steps;
      const j = pos | 0;
      coefficients[p * taps + t] = gain * (table[j]! + (pos - j) * (table[j + 1]! - table[j]!));
    }
  }
  const bank = { phases, step, taps, lead, coefficients };
  bankCache.set(key, bank);
  return bank;
}

function resamplePolyphase(samples: Float32Array, outLength: number, bank: PolyphaseBank): Float32Array {
  const { phases, step, taps, lead, coefficients } = bank;
  const out = new Float32Array(outLength);
  const length = samples.length;
  for (let n = 0; n < outLength; n++) {
    const numerator = n * step; // x = numerator / phases
    const base = Math.floor(numerator / phases);
    const phase = numerator - base * phases;
    const start = base - lead + 1;
    const row = phase * taps;
    const first = Math.max(0, -start);
    const end = Math.min(taps, length - start);
    let acc = 0;
    for (let t = first; t < end; t++) acc += samples[start + t]! * coefficients[row + t]!;
    out[n] = acc;
  }
  return out;
}
