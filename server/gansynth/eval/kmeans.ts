import { Rng } from '../../ml/random.js';

export interface KMeansOptions {
  k: number;
  maxIterations?: number;
  seed?: number;
}

export interface KMeansResult {
  /** k centroids, each of the points' dimension. */
  centroids: Float64Array[];
  /** For each input point, the index of its centroid. */
  assignments: Int32Array;
  iterations: number;
}

const kmeansDefaults = { maxIterations: 60, seed: 0 };

/** Lloyd's k-means with k-means++ seeding (deterministic for a seed). Pure: points are plain vectors. */
export function kMeans(points: ArrayLike<number>[], options: KMeansOptions): KMeansResult {
  const { k, maxIterations, seed } = { ...kmeansDefaults, ...options };
  if (points.length < k) throw new Error(`k-means needs at least k=${k} points, got ${points.length}`);
  const dim = points[0]!.length;
  const rng = new Rng(`kmeans:${seed}`);
  const centroids = seedPlusPlus(points, k, rng);
  const assignments = new Int32Array(points.length).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    for (let i = 0; i < points.length; i++) {
      const best = nearest(points[i]!, centroids).index;
      if (best !== assignments[i]) {
        assignments[i] = best;
        changed++;
      }
    }
    if (changed === 0 && iterations > 0) break;
    const sums = centroids.map(() => new Float64Array(dim));
    const counts = new Int32Array(k);
    for (let i = 0; i < points.length; i++) {
      const c = assignments[i]!;
      counts[c]!++;
      const p = points[i]!;
      const s = sums[c]!;
      for (let d = 0; d < dim; d++) s[d]! += p[d]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty cluster takes the point farthest from its own centroid, so k stays k.
        centroids[c] = Float64Array.from(points[farthestPoint(points, centroids, assignments)]!);
        continue;
      }
      const s = sums[c]!;
      for (let d = 0; d < dim; d++) s[d] = s[d]! / counts[c]!;
      centroids[c] = s;
    }
  }
  return { centroids, assignments, iterations };
}

/** Index of and squared distance to the nearest centroid. */
export function nearest(point: ArrayLike<number>, centroids: Float64Array[]): { index: number; distance: number } {
  let index = 0;
  let distance = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(point, centroids[c]!, distance);
    if (d < distance) {
      distance = d;
      index = c;
    }
  }
  return { index, distance };
}

/** Squared Euclidean distance; stops early once past `bound`. */
function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>, bound = Infinity): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) {
    const diff = a[d]! - b[d]!;
    s += diff * diff;
    if (s > bound) return s;
  }
  return s;
}

function seedPlusPlus(points: ArrayLike<number>[], k: number, rng: Rng): Float64Array[] {
  const centroids = [Float64Array.from(points[rng.int(points.length)]!)];
  const best = points.map((p) => squaredDistance(p, centroids[0]!));
  while (centroids.length < k) {
    const total = best.reduce((a, b) => a + b, 0);
    let pick = 0;
    if (total > 0) {
      let r = rng.uniform() * total;
      for (pick = 0; pick < points.length - 1; pick++) {
        r -= best[pick]!;
        if (r < 0) break;
      }
    } else {
      pick = rng.int(points.length);
    }
    const centroid = Float64Array.from(points[pick]!);
    centroids.push(centroid);
    for (let i = 0; i < points.length; i++) best[i] = Math.min(best[i]!, squaredDistance(points[i]!, centroid));
  }
  return centroids;
}

function farthestPoint(points: ArrayLike<number>[], centroids: Float64Array[], assignments: Int32Array): number {
  let index = 0;
  let distance = -1;
  for (let i = 0; i < points.length; i++) {
    const d = squaredDistance(points[i]!, centroids[assignments[i]!]!);
    if (d > distance) {
      distance = d;
      index = i;
    }
  }
  return index;
}
