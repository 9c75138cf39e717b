import assert from 'node:assert/strict';
import { centsBetween, estimateF0 } from '../../server/audio/f0.js';
import {
  audioToIfLinear,
  audioToIfMel,
  audioToIfMelBatch,
  ifLinearToAudio,
  ifMelShape,
  ifMelToAudio,
  ifMelToAudioBatch,
} from '../../server/spectral/ifmel.js';
import { melFilterbank } from '../../server/spectral/mel.js';
import { getSpectralPreset, type SpectralPreset } from '../../server/spectral/presets.js';
import { StudioError } from '../../server/util/errors.js';
import { renderTestNote, sine } from '../audio/rendered-notes.js';
import { logSpectralDistance, spectralConvergence } from './distance.js';

const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;

/** Channel `c` of frame `t`, band `m` in a [frames][bands][2] array. */
function at(spec: Float32Array, bands: number, t: number, m: number, c: number): number {
  return spec[(t * bands + m) * 2 + c]!;
}

function loudestBand(spec: Float32Array, bands: number, t: number): number {
  let best = 0;
  for (let m = 1; m < bands; m++) if (at(spec, bands, t, m, 0) > at(spec, bands, t, best, 0)) best = m;
  return best;
}

describe('spectral/ifmel', () => {
  const lite = getSpectralPreset('lite');

  it('has the documented shapes: tiny 32x32x2, lite 64x128x2, paper 128x1024x2', () => {
    for (const [name, shape] of [
      ['tiny', [32, 32, 2]],
      ['lite', [64, 128, 2]],
      ['paper', [128, 1024, 2]],
    ] as const) {
      const p = getSpectralPreset(name);
      assert.deepEqual(ifMelShape(p), shape);
      const spec = audioToIfMel(sine(440, p.sampleRate, p.samples), p);
      assert.equal(spec.length, shape[0] * shape[1] * 2);
      assert.ok(spec.every((v) => v >= -1 && v <= 1), name);
      assert.equal(ifMelToAudio(spec, p).length, p.samples);
    }
  });

  it('lays out [frames][melBins][log-magnitude, IF]: a 1010 Hz sine peaks in the 1010 Hz band with its phase advance', () => {
    const spec = audioToIfMel(sine(1010, 16000, lite.samples, 0.25), lite);
    const bank = melFilterbank({ sampleRate: 16000, nFft: lite.nFft, melBins: lite.melBins });
    let nearest = 0;
    bank.centerHz.forEach((c, m) => {
      if (Math.abs(c - 1010) < Math.abs(bank.centerHz[nearest]! - 1010)) nearest = m;
    });
    // Advance per hop: 2 pi 1010 * 256 / 16000 = 2 pi * 16.16 -> 0.16 turns -> IF 0.32.
    for (let t = 4; t < 60; t++) {
      assert.ok(Math.abs(loudestBand(spec, lite.melBins, t) - nearest) <= 1, `frame ${t}`);
      assert.ok(Math.abs(at(spec, lite.melBins, t, nearest, 1) - 0.32) < 0.005, `frame ${t} IF ${at(spec, lite.melBins, t, nearest, 1)}`);
    }
  });

  it('maps level linearly in dB: +6.02 dB moves the log magnitude by 2 * 6.02 / dynamicRangeDb', () => {
    const quiet = audioToIfMel(sine(500, 16000, lite.samples, 0.1), lite);
    const loud = audioToIfMel(sine(500, 16000, lite.samples, 0.2), lite);
    const t = 30;
    const m = loudestBand(quiet, lite.melBins, t);
    const step = at(loud, lite.melBins, t, m, 0) - at(quiet, lite.melBins, t, m, 0);
    assert.ok(Math.abs(step - (2 * 20 * Math.log10(2)) / lite.dynamicRangeDb) < 1e-4, `step ${step}`);
  });

  it('silence is -1 everywhere in the log magnitude and becomes silence again', () => {
    const spec = audioToIfMel(new Float32Array(lite.samples), lite);
    for (let i = 0; i < spec.length; i += 2) assert.equal(spec[i], -1);
    assert.ok(ifMelToAudio(spec, lite).every((v) => v === 0));
  });

  it('silentWithinDb decodes cells that near the floor as silence, and leaves louder cells sounding', () => {
    const dbAboveFloor = (db: number) => -1 + (2 * db) / lite.dynamicRangeDb;
    const nearFloor = new Float32Array(lite.frames * lite.melBins * 2);
    for (let i = 0; i < nearFloor.length; i += 2) nearFloor[i] = dbAboveFloor(1);
    assert.ok(ifMelToAudio(nearFloor, lite).some((v) => v !== 0), 'without the option a cell 1 dB above the floor sounds');
    assert.ok(ifMelToAudio(nearFloor, lite, { silentWithinDb: 3 }).every((v) => v === 0));
    const withTone = new Float32Array(nearFloor);
    withTone[(30 * lite.melBins + 20) * 2] = dbAboveFloor(60);
    const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
    const gated = ifMelToAudio(withTone, lite, { silentWithinDb: 3 });
    assert.ok(rms(gated) > 0, 'a cell 60 dB above the floor still sounds');
    assert.ok(Math.abs(rms(gated) - rms(ifMelToAudio(withTone, lite))) / rms(gated) < 0.5);
  });

  it('pads short input and cuts long input to the preset length', () => {
    const note = sine(300, 16000, 9000);
    const padded = new Float32Array(lite.samples);
    padded.set(note);
    assert.deepEqual(audioToIfMel(note, lite), audioToIfMel(padded, lite));
    const long = sine(300, 16000, lite.samples + 5000);
    assert.deepEqual(audioToIfMel(long, lite), audioToIfMel(long.subarray(0, lite.samples), lite));
  });

  it('is deterministic, and the batch helpers equal one-at-a-time calls', () => {
    const notes = [sine(220, 16000, lite.samples), sine(330, 16000, lite.samples, 0.3)];
    const batch = audioToIfMelBatch(notes, lite);
    const size = lite.frames * lite.melBins * 2;
    assert.equal(batch.length, 2 * size);
    notes.forEach((n, i) => assert.deepEqual(batch.subarray(i * size, (i + 1) * size), audioToIfMel(n, lite)));
    assert.deepEqual(Buffer.from(audioToIfMel(notes[0]!, lite).buffer), Buffer.from(audioToIfMel(notes[0]!, lite).buffer));
    const audio = ifMelToAudioBatch(batch, lite);
    assert.equal(audio.length, 2);
    assert.deepEqual(audio[1], ifMelToAudio(batch.subarray(size), lite));
  });

  it('rejects spectrograms of the wrong size', () => {
    assert.throws(() => ifMelToAudio(new Float32Array(100), lite), (e: unknown) => e instanceof StudioError && /64x128x2/.test(e.message));
    assert.throws(() => ifMelToAudioBatch(new Float32Array(64 * 128 * 2 + 1), lite), StudioError);
  });

  describe('round trips on real rendered notes (6 programs x 3 pitches)', function () {
    this.timeout(60_000);
    const programs = [0, 24, 40, 56, 73, 81];
    const pitches = [36, 60, 79];

    async function roundTrip(p: SpectralPreset, mel: boolean) {
      const rows: { sc: number; lsd: number; neighbourSc: number; cents: number }[] = [];
      for (const program of programs) {
        for (const pitch of pitches) {
          const x = await renderTestNote(program, pitch, p.seconds);
          const y = mel ? ifMelToAudio(audioToIfMel(x, p), p) : ifLinearToAudio(audioToIfLinear(x, p), p);
          const neighbour = await renderTestNote(program, pitch + 2, p.seconds);
          const a = estimateF0(x, 16000)!;
          const b = estimateF0(y, 16000)!;
          rows.push({
            sc: spectralConvergence(x, y),
            lsd: logSpectralDistance(x, y),
            neighbourSc: spectralConvergence(x, neighbour),
            cents: Math.abs(centsBetween(b.hz, a.hz)),
          });
        }
      }
      return rows;
    }

    it('linear (no mel) log-magnitude + IF round trip is near-exact', async () => {
      const rows = await roundTrip(lite, false);
      // Measured: spectral convergence <= 1.9e-3 (what is lost: the Nyquist bin and bins 100 dB down).
      for (const r of rows) assert.ok(r.sc < 5e-3, `SC ${r.sc}`);
    });

    it('lite IF-Mel (64 x 128) keeps the sound', async () => {
      const rows = await roundTrip(lite, true);
      // Measured on these 18 notes: SC mean 0.29, max 0.51; LSD mean 7.0 dB, max 13.5 dB; pitch within 5 cents.
      assert.ok(mean(rows.map((r) => r.sc)) < 0.35, `mean SC ${mean(rows.map((r) => r.sc))}`);
      assert.ok(mean(rows.map((r) => r.lsd)) < 8.5, `mean LSD ${mean(rows.map((r) => r.lsd))}`);
      for (const r of rows) {
        assert.ok(r.sc < 0.6, `SC ${r.sc}`);
        // Closer to the original than the same instrument two semitones away (SC >= 0.61 there).
        assert.ok(r.sc < r.neighbourSc, `SC ${r.sc} vs neighbour ${r.neighbourSc}`);
        assert.ok(r.cents < 10, `pitch moved ${r.cents} cents`);
      }
    });

    it('paper IF-Mel (128 x 1024) keeps the sound closer still', async () => {
      const rows = await roundTrip(getSpectralPreset('paper'), true);
      // Measured on these 18 four-second notes: SC mean 0.17, max 0.46; LSD mean 3.0 dB, max 5.4 dB.
      assert.ok(mean(rows.map((r) => r.sc)) < 0.2, `mean SC ${mean(rows.map((r) => r.sc))}`);
      assert.ok(mean(rows.map((r) => r.lsd)) < 4, `mean LSD ${mean(rows.map((r) => r.lsd))}`);
      for (const r of rows) {
        assert.ok(r.sc < 0.55 && r.sc < r.neighbourSc, `SC ${r.sc}`);
        assert.ok(r.cents < 10, `pitch moved ${r.cents} cents`);
      }
    });
  });
});
