import assert from 'node:assert/strict';
import { istft, stft } from '../../server/spectral/stft.js';
import { StudioError } from '../../server/util/errors.js';
import { sine } from '../audio/rendered-notes.js';

function noise(n: number, seed: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 2147483648 - 0.5;
  }
  return out;
}

describe('spectral/stft', () => {
  for (const [nFft, hop] of [
    [1024, 256],
    [2048, 512],
    [512, 256],
    [256, 64],
  ]) {
    it(`inverts exactly (nFft ${nFft}, hop ${hop})`, () => {
      const x = noise(5000, nFft + hop);
      const spec = stft(x, { nFft, hop });
      assert.equal(spec.bins, nFft / 2 + 1);
      assert.equal(spec.frames, Math.floor(x.length / hop) + 1);
      const y = istft(spec, { nFft, hop, length: x.length });
      let err = 0;
      for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i]! - y[i]!));
      assert.ok(err < 1e-6, `max error ${err}`);
    });
  }

  it('puts a sine in its bin, with magnitude amplitude * nFft / 4 (Hann)', () => {
    const nFft = 1024;
    const spec = stft(sine(50 * (16000 / nFft), 16000, 8000, 0.5), { nFft, hop: 256 });
    const t = 10;
    const mags = Array.from({ length: spec.bins }, (_, k) => Math.hypot(spec.re[t * spec.bins + k]!, spec.im[t * spec.bins + k]!));
    const best = mags.indexOf(Math.max(...mags));
    assert.equal(best, 50);
    assert.ok(Math.abs(mags[50]! - (0.5 * nFft) / 4) < 1e-3);
  });

  it('is zero-phase: the bins of one steady partial share a phase', () => {
    const spec = stft(sine(1000.7, 16000, 8000), { nFft: 1024, hop: 256 });
    const row = 12 * spec.bins;
    const k = Math.round(1000.7 / (16000 / 1024));
    const phase = (b: number): number => Math.atan2(spec.im[row + b]!, spec.re[row + b]!);
    for (const b of [k - 1, k + 1]) {
      let d = phase(b) - phase(k);
      d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
      assert.ok(Math.abs(d) < 1e-3, `bin ${b} differs by ${d}`);
    }
  });

  it('rejects sizes that are not powers of two and hops larger than the window', () => {
    assert.throws(() => stft(new Float32Array(100), { nFft: 1000, hop: 250 }), StudioError);
    assert.throws(() => stft(new Float32Array(100), { nFft: 1024, hop: 2048 }), StudioError);
    const spec = stft(new Float32Array(100), { nFft: 256, hop: 64 });
    assert.throws(() => istft(spec, { nFft: 512, hop: 64 }), StudioError);
  });
});
