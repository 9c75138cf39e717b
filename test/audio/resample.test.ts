import assert from 'node:assert/strict';
import { resample } from '../../server/audio/resample.js';
import { StudioError } from '../../server/util/errors.js';
import { rms, sine } from './rendered-notes.js';

const db = (ratio: number): number => 20 * Math.log10(ratio);

/** Frequency of a sine by least-squares phase slope over its analytic projection (exact for a clean tone). */
function measureHz(x: Float32Array, sampleRate: number, guessHz: number): number {
  // Demodulate at the guess and fit the slope of the residual phase, window by window.
  const win = Math.round(sampleRate / 50);
  const phases: number[] = [];
  for (let start = Math.floor(x.length * 0.1); start + win < x.length * 0.9; start += win) {
    let re = 0;
    let im = 0;
    for (let i = start; i < start + win; i++) {
      const w = (2 * Math.PI * guessHz * i) / sampleRate;
      re += x[i]! * Math.cos(w);
      im -= x[i]! * Math.sin(w);
    }
    phases.push(Math.atan2(im, re));
  }
  let drift = 0;
  for (let i = 1; i < phases.length; i++) {
    let d = phases[i]! - phases[i - 1]!;
    d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
    drift += d;
  }
  const radiansPerSample = drift / ((phases.length - 1) * win);
  return guessHz + (radiansPerSample * sampleRate) / (2 * Math.PI);
}

/** Level of the middle 80% relative to the input, dB (the edges are zero-padded by design). */
function levelDb(input: Float32Array, output: Float32Array): number {
  return db(rms(output, Math.floor(output.length * 0.1), Math.floor(output.length * 0.9)) / rms(input));
}

describe('audio/resample', () => {
  const cases: [number, number, number][] = [
    [44100, 16000, 1000],
    [48000, 16000, 5000],
    [22050, 16000, 440],
    [16000, 48000, 3000],
    [16000, 44100, 6000],
    [8000, 16000, 100],
  ];
  for (const [from, to, hz] of cases) {
    it(`${from} -> ${to} Hz keeps a ${hz} Hz sine at its frequency and level`, () => {
      const x = sine(hz, from, Math.round(from * 0.5), 0.5);
      const y = resample(x, from, to);
      assert.equal(y.length, Math.round((x.length * to) / from));
      const measured = measureHz(y, to, hz);
      assert.ok(Math.abs(measured - hz) < 0.01, `frequency ${measured} Hz`);
      assert.ok(Math.abs(levelDb(x, y)) < 0.05, `level ${levelDb(x, y).toFixed(3)} dB`);
    });
  }

  it('removes content above the new Nyquist frequency instead of aliasing it (> 90 dB down)', () => {
    for (const [from, hz] of [
      [48000, 12000],
      [48000, 8600],
      [44100, 9000],
      [44100, 20000],
      [22050, 9000],
    ]) {
      const x = sine(hz, from, from / 2, 0.5);
      const y = resample(x, from, 16000);
      const level = levelDb(x, y);
      assert.ok(level < -90, `${hz} Hz at ${from} Hz leaks through at ${level.toFixed(1)} dB`);
    }
  });

  it('a mix keeps its in-band tone and drops its out-of-band one', () => {
    const from = 48000;
    const low = sine(2000, from, from / 2, 0.3);
    const high = sine(14000, from, from / 2, 0.3);
    const mix = low.map((v, i) => v + high[i]!);
    const y = resample(mix, from, 16000);
    const reference = resample(low, from, 16000);
    const err = y.map((v, i) => v - reference[i]!);
    const [a, b] = [Math.floor(err.length * 0.1), Math.floor(err.length * 0.9)];
    assert.ok(db(rms(err, a, b) / rms(reference, a, b)) < -90);
  });

  it('keeps DC, returns a copy when the rates match, and rejects nonsense rates', () => {
    const dc = new Float32Array(4000).fill(0.25);
    const y = resample(dc, 44100, 16000);
    const mid = y.subarray(300, y.length - 300);
    assert.ok(mid.every((v) => Math.abs(v - 0.25) < 1e-4));
    const same = resample(dc, 16000, 16000);
    assert.notEqual(same, dc);
    assert.deepEqual(same, dc);
    assert.throws(() => resample(dc, 0, 16000), StudioError);
    assert.throws(() => resample(dc, 16000, Number.NaN), StudioError);
  });
});
