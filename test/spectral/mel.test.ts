import assert from 'node:assert/strict';
import { hzToMel, linearRowToMel, melFilterbank, melRowToLinear, melToHz } from '../../server/spectral/mel.js';
import { SPECTRAL_PRESETS } from '../../server/spectral/presets.js';

describe('spectral/mel', () => {
  it('uses the HTK mel scale (1000 Hz ~ 1000 mel) and inverts it', () => {
    assert.ok(Math.abs(hzToMel(1000) - 1000) < 0.1);
    for (const hz of [0, 50, 700, 4000, 8000]) assert.ok(Math.abs(melToHz(hzToMel(hz)) - hz) < 1e-9);
  });

  for (const preset of Object.values(SPECTRAL_PRESETS)) {
    it(`${preset.name}: every band is a non-empty average of linear bins, centres rising to Nyquist`, () => {
      const bank = melFilterbank({ sampleRate: preset.sampleRate, nFft: preset.nFft, melBins: preset.melBins });
      assert.equal(bank.bandWeights.length, preset.melBins);
      for (let m = 0; m < preset.melBins; m++) {
        const w = bank.bandWeights[m]!;
        assert.ok(w.length > 0);
        assert.ok(Math.abs(w.reduce((s, x) => s + x, 0) - 1) < 1e-12);
        assert.ok(bank.bandStart[m]! >= 0 && bank.bandStart[m]! + w.length <= preset.linearBins);
        if (m > 0) assert.ok(bank.centerHz[m]! > bank.centerHz[m - 1]!);
      }
      assert.ok(bank.centerHz[preset.melBins - 1]! < preset.sampleRate / 2);
    });
  }

  it('keeps a constant spectrum constant and a smooth one nearly so, there and back', () => {
    const bank = melFilterbank({ sampleRate: 16000, nFft: 1024, melBins: 128 });
    const mel = new Float64Array(128);
    const back = new Float64Array(512);
    linearRowToMel(bank, new Float64Array(512).fill(3), mel);
    melRowToLinear(bank, mel, back);
    assert.ok(back.every((v) => Math.abs(v - 3) < 1e-12));
    const smooth = Float64Array.from({ length: 512 }, (_, k) => Math.exp(-k / 200));
    linearRowToMel(bank, smooth, mel);
    melRowToLinear(bank, mel, back);
    let err = 0;
    for (let k = 0; k < 512; k++) err = Math.max(err, Math.abs(back[k]! - smooth[k]!));
    assert.ok(err < 0.01, `max error ${err}`);
  });
});
