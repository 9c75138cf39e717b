// Mel filterbank with a matching (approximate) inverse.
// Forward: each mel band is a weighted average of linear bins (triangular weights summing to 1, at least one
// linear bin wide, so narrow low bands interpolate between bins instead of going empty).
// Inverse: each linear bin reads the two nearest band centres, linearly interpolated on the mel axis.
// A spectrum that is smooth on the mel axis survives the round trip; detail finer than a band does not.

/** HTK mel scale, as GANSynth (tf.signal) uses. */
export function hzToMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (Math.exp(mel / 1127) - 1);
}

export interface MelFilterbankOptions {
  sampleRate: number;
  nFft: number;
  melBins: number;
  /** Linear bins covered, from DC (default nFft / 2: Nyquist dropped). */
  linearBins?: number;
  fMinHz?: number;
  fMaxHz?: number;
}

export interface MelFilterbank {
  melBins: number;
  linearBins: number;
  /** Band centres, Hz. */
  centerHz: Float64Array;
  /** Forward: band m averages linear bins bandStart[m] .. bandStart[m] + bandWeights[m].length - 1. */
  bandStart: Int32Array;
  bandWeights: Float64Array[];
  /** Inverse: linear bin k = (1 - frac) * band[lower] + frac * band[lower + 1]. */
  inverseLower: Int32Array;
  inverseFrac: Float64Array;
}

const cache = new Map<string, MelFilterbank>();

export function melFilterbank(options: MelFilterbankOptions): MelFilterbank {
  const { sampleRate, nFft, melBins } = options;
  const linearBins = options.linearBins ?? nFft / 2;
  const fMin = options.fMinHz ?? 0;
  const fMax = options.fMaxHz ?? sampleRate / 2;
  const key = `${sampleRate}:${nFft}:${melBins}:${linearBins}:${fMin}:${fMax}`;
  const cached = cache.get(key);
  if (cached) return cached;

  const binHz = sampleRate / nFft;
  const melMin = hzToMel(fMin);
  const melMax = hzToMel(fMax);
  // melBins + 2 equally spaced mel points: band m rises from point m, peaks at m + 1, falls to m + 2.
  const points = new Float64Array(melBins + 2);
  for (let i = 0; i < points.length; i++) points[i] = melToHz(melMin + ((melMax - melMin) * i) / (melBins + 1));
  const centerHz = points.subarray(1, melBins + 1).slice();

  const bandStart = new Int32Array(melBins);
  const bandWeights: Float64Array[] = [];
  for (let m = 0; m < melBins; m++) {
    const center = points[m + 1]!;
    const lowWidth = Math.max(center - points[m]!, binHz);
    const highWidth = Math.max(points[m + 2]! - center, binHz);
    const first = Math.max(0, Math.ceil((center - lowWidth) / binHz));
    const last = Math.min(linearBins - 1, Math.floor((center + highWidth) / binHz));
    const weights: number[] = [];
    for (let k = first; k <= last; k++) {
      const f = k * binHz;
      const w = f <= center ? 1 - (center - f) / lowWidth : 1 - (f - center) / highWidth;
      weights.push(Math.max(0, w));
    }
    const sum = weights.reduce((s, w) => s + w, 0);
    if (!(sum > 0)) {
      // A band beyond the last kept bin: read the nearest one.
      const nearest = Math.min(linearBins - 1, Math.max(0, Math.round(center / binHz)));
      bandStart[m] = nearest;
      bandWeights.push(Float64Array.of(1));
      continue;
    }
    bandStart[m] = first;
    bandWeights.push(Float64Array.from(weights, (w) => w / sum));
  }

  const inverseLower = new Int32Array(linearBins);
  const inverseFrac = new Float64Array(linearBins);
  const centerMel = Array.from(centerHz, hzToMel);
  let m = 0;
  for (let k = 0; k < linearBins; k++) {
    const mel = hzToMel(k * binHz);
    while (m < melBins - 2 && centerMel[m + 1]! <= mel) m++;
    if (melBins === 1 || mel <= centerMel[0]!) {
      inverseLower[k] = 0;
      inverseFrac[k] = 0;
    } else if (mel >= centerMel[melBins - 1]!) {
      inverseLower[k] = melBins - 2;
      inverseFrac[k] = 1;
    } else {
      inverseLower[k] = m;
      inverseFrac[k] = (mel - centerMel[m]!) / (centerMel[m + 1]! - centerMel[m]!);
    }
  }
  const bank: MelFilterbank = { melBins, linearBins, centerHz, bandStart, bandWeights, inverseLower, inverseFrac };
  cache.set(key, bank);
  return bank;
}

/** Band averages of one linear-frequency row (length >= linearBins) into `out` (length melBins). */
export function linearRowToMel(bank: MelFilterbank, row: ArrayLike<number>, out: Float64Array | Float32Array): void {
  for (let m = 0; m < bank.melBins; m++) {
    const start = bank.bandStart[m]!;
    const weights = bank.bandWeights[m]!;
    let acc = 0;
    for (let j = 0; j < weights.length; j++) acc += weights[j]! * row[start + j]!;
    out[m] = acc;
  }
}

/** Interpolates one mel row back onto the linear bins. */
export function melRowToLinear(bank: MelFilterbank, melRow: ArrayLike<number>, out: Float64Array | Float32Array): void {
  for (let k = 0; k < bank.linearBins; k++) {
    const lower = bank.inverseLower[k]!;
    const frac = bank.inverseFrac[k]!;
    out[k] = frac === 0 ? melRow[lower]! : (1 - frac) * melRow[lower]! + frac * melRow[lower + 1]!;
  }
}
