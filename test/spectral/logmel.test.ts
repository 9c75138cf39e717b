import assert from 'node:assert/strict';
import { logMelSpectrogram } from '../../server/spectral/logmel.js';
import { melFilterbank } from '../../server/spectral/mel.js';
import { sine } from '../audio/rendered-notes.js';

describe('spectral/logmel', () => {
  it('has floor(length / hop) + 1 frames of melBins log powers, loudest in the tone band', () => {
    const spec = logMelSpectrogram(sine(2000, 16000, 16000), 16000, { melBins: 64 });
    assert.equal(spec.frames, Math.floor(16000 / 256) + 1);
    assert.equal(spec.melBins, 64);
    assert.equal(spec.data.length, spec.frames * 64);
    const bank = melFilterbank({ sampleRate: 16000, nFft: 1024, melBins: 64 });
    const t = 20;
    const row = Array.from(spec.data.subarray(t * 64, (t + 1) * 64));
    const best = row.indexOf(Math.max(...row));
    assert.ok(Math.abs(bank.centerHz[best]! - 2000) < 150, `band ${best} at ${bank.centerHz[best]} Hz`);
  });

  it('is ln(floorPower) for silence and follows the options', () => {
    const spec = logMelSpectrogram(new Float32Array(4000), 8000, { nFft: 256, hop: 128, melBins: 20, floorPower: 1e-3 });
    assert.equal(spec.melBins, 20);
    assert.ok(spec.data.every((v) => Math.abs(v - Math.log(1e-3)) < 1e-6));
  });
});
