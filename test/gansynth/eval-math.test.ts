import { strict as assert } from 'node:assert';
import { kMeans } from '../../server/gansynth/eval/kmeans.js';
import { NdbBins, normalQuantile } from '../../server/gansynth/eval/ndb.js';
import { featureStatistics, frechetDistance, symmetricEigen } from '../../server/gansynth/eval/frechet.js';
import { Rng } from '../../server/ml/random.js';

function gaussianCloud(rng: Rng, centre: number[], spread: number, count: number): Float32Array[] {
  return Array.from({ length: count }, () => Float32Array.from(centre, (c) => c + spread * rng.normal()));
}

describe('gansynth eval maths', () => {
  it('k-means finds well-separated clusters', () => {
    const rng = new Rng(1);
    const centres = [[0, 0], [10, 0], [0, 10]];
    const points = centres.flatMap((c) => gaussianCloud(rng, c, 0.5, 40));
    const { assignments } = kMeans(points, { k: 3, seed: 2 });
    for (let c = 0; c < 3; c++) {
      const labels = new Set(Array.from(assignments.slice(c * 40, c * 40 + 40)));
      assert.equal(labels.size, 1, `cluster ${c} split across ${[...labels]}`);
    }
    assert.equal(new Set(Array.from(assignments)).size, 3);
  });

  it('normalQuantile matches known values', () => {
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.5)) < 1e-12);
    assert.ok(Math.abs(normalQuantile(0.01) + 2.326348) < 1e-5);
  });

  it('NDB is small for samples from the reference distribution and large for a collapsed one', () => {
    const rng = new Rng(3);
    const centres = Array.from({ length: 10 }, (_, i) => [Math.cos(i) * 20, Math.sin(i) * 20, i]);
    const draw = (n: number) => Array.from({ length: n }, () => gaussianCloud(rng, centres[rng.int(10)]!, 2, 1)[0]!);
    const bins = new NdbBins(draw(2000), { k: 20, seed: 4 });
    const same = bins.score(draw(600));
    const collapsed = bins.score(gaussianCloud(rng, centres[0]!, 2, 600));
    assert.ok(same.ndb <= 4, `same distribution: ${same.ndb} bins differ`);
    assert.ok(collapsed.ndb >= 15, `collapsed: only ${collapsed.ndb} bins differ`);
    assert.equal(collapsed.ndbOverK, collapsed.ndb / 20);
  });

  it('symmetric eigendecomposition reconstructs the matrix', () => {
    const n = 6;
    const rng = new Rng(5);
    const b = Float64Array.from({ length: n * n }, () => rng.normal());
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) m[i * n + j]! += b[i * n + k]! * b[j * n + k]!;
    const { values, vectors } = symmetricEigen(m, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += vectors[i * n + k]! * values[k]! * vectors[j * n + k]!;
        assert.ok(Math.abs(s - m[i * n + j]!) < 1e-9, `(${i},${j}) ${s} vs ${m[i * n + j]}`);
      }
    }
  });

  it('Frechet distance is 0 for equal statistics and matches the closed form for diagonal Gaussians', () => {
    const rng = new Rng(6);
    const a = featureStatistics(gaussianCloud(rng, [0, 0, 0], 1, 500));
    assert.ok(frechetDistance(a, a) < 1e-8);
    const diag = (mean: number[], sd: number[]) => ({
      mean: Float64Array.from(mean),
      covariance: Float64Array.from([sd[0]! ** 2, 0, 0, sd[1]! ** 2]),
      dim: 2,
      count: 100,
    });
    const d = frechetDistance(diag([0, 1], [1, 2]), diag([3, 1], [2, 0.5]));
    const expected = 9 + (1 - 2) ** 2 + (2 - 0.5) ** 2;
    assert.ok(Math.abs(d - expected) < 1e-9, `${d} vs ${expected}`);
  });
});
