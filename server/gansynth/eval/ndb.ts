import { kMeans, nearest } from './kmeans.js';

export interface NdbOptions {
  /** Number of bins (k-means clusters); GANSynth and Richardson & Weiss use 50. */
  k?: number;
  /** Two-sided significance level of each bin's two-proportion test. */
  alpha?: number;
  seed?: number;
}

export interface NdbResult {
  k: number;
  /** Bins whose share of the test samples differs significantly from the reference share. */
  ndb: number;
  ndbOverK: number;
  /** Per bin: share of reference and of test samples (for plots and debugging). */
  referenceShares: number[];
  testShares: number[];
}

const ndbDefaults = { k: 50, alpha: 0.05, seed: 0 };

/** Bins fitted once on reference samples; score any number of sample sets against them. */
export class NdbBins {
  readonly k: number;
  private readonly centroids: Float64Array[];
  private readonly referenceCounts: number[];
  private readonly referenceTotal: number;
  private readonly zCritical: number;

  constructor(reference: ArrayLike<number>[], options: NdbOptions = {}) {
    const { k, alpha, seed } = { ...ndbDefaults, ...options };
    const clusters = kMeans(reference, { k, seed });
    this.k = k;
    this.centroids = clusters.centroids;
    this.referenceCounts = new Array<number>(k).fill(0);
    for (const a of clusters.assignments) this.referenceCounts[a]!++;
    this.referenceTotal = reference.length;
    this.zCritical = normalQuantile(1 - alpha / 2);
  }

  /** Number of statistically different bins between the reference and `samples`. */
  score(samples: ArrayLike<number>[]): NdbResult {
    const counts = new Array<number>(this.k).fill(0);
    for (const s of samples) counts[nearest(s, this.centroids).index]!++;
    const n1 = this.referenceTotal;
    const n2 = samples.length;
    let ndb = 0;
    for (let c = 0; c < this.k; c++) {
      const p1 = this.referenceCounts[c]! / n1;
      const p2 = counts[c]! / n2;
      const pooled = (this.referenceCounts[c]! + counts[c]!) / (n1 + n2);
      const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
      if (se > 0 && Math.abs(p1 - p2) / se > this.zCritical) ndb++;
    }
    return {
      k: this.k,
      ndb,
      ndbOverK: ndb / this.k,
      referenceShares: this.referenceCounts.map((c) => c / n1),
      testShares: counts.map((c) => c / n2),
    };
  }
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0 || p >= 1) throw new Error(`quantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
