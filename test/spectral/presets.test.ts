import assert from 'node:assert/strict';
import { SPECTRAL_PRESETS, customSpectralPreset, getSpectralPreset, validateSpectralPreset } from '../../server/spectral/presets.js';
import { StudioError } from '../../server/util/errors.js';

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

describe('spectral/presets', () => {
  it('lite and paper have the documented sizes; every preset is consistent and power-of-two shaped', () => {
    const lite = getSpectralPreset('lite');
    assert.deepEqual([lite.sampleRate, lite.seconds, lite.nFft, lite.hop, lite.frames, lite.melBins], [16000, 1, 1024, 256, 64, 128]);
    const paper = getSpectralPreset('paper');
    assert.deepEqual([paper.sampleRate, paper.seconds, paper.nFft, paper.hop, paper.frames, paper.melBins], [16000, 4, 2048, 512, 128, 1024]);
    for (const p of Object.values(SPECTRAL_PRESETS)) {
      validateSpectralPreset(p);
      assert.ok(isPow2(p.frames) && isPow2(p.melBins), p.name);
      assert.ok(p.frames * p.hop >= p.samples, p.name);
      assert.equal(p.samples, Math.round(p.seconds * p.sampleRate));
    }
  });

  it('getSpectralPreset returns a copy and names the known presets when asked for another', () => {
    const a = getSpectralPreset('lite');
    a.melBins = 3;
    assert.equal(getSpectralPreset('lite').melBins, 128);
    assert.throws(() => getSpectralPreset('huge'), (e: unknown) => e instanceof StudioError && /tiny, lite, paper/.test(e.message));
  });

  it('customSpectralPreset recomputes derived sizes and refuses inconsistent ones', () => {
    const wide = customSpectralPreset(getSpectralPreset('lite'), { melBins: 256, name: 'lite-256' });
    assert.equal(wide.melBins, 256);
    assert.equal(wide.linearBins, 512);
    assert.throws(() => customSpectralPreset(getSpectralPreset('lite'), { seconds: 2 }), /do not cover/);
    assert.throws(() => customSpectralPreset(getSpectralPreset('lite'), { nFft: 1000 }), /power of two/);
  });
});
