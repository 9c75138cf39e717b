import assert from 'node:assert/strict';
import { getSpectralPreset } from '../../server/spectral/presets.js';
import { melFilterbank } from '../../server/spectral/mel.js';
import { HARMONIC_TEMPLATE_CHANNELS, harmonicTemplate, harmonicTemplates } from '../../server/spectral/harmonic-template.js';

const lite = getSpectralPreset('lite');
const bank = melFilterbank({ sampleRate: lite.sampleRate, nFft: lite.nFft, melBins: lite.melBins, linearBins: lite.linearBins, fMinHz: lite.fMinHz, fMaxHz: lite.fMaxHz });
const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
/** The band whose centre is nearest to a frequency. */
const bandOf = (f: number) => Array.from(bank.centerHz).reduce((best, c, m) => (Math.abs(c - f) < Math.abs(bank.centerHz[best]! - f) ? m : best), 0);
const at = (t: Float32Array, band: number, channel: number) => t[band * HARMONIC_TEMPLATE_CHANNELS + channel]!;

describe('harmonic templates (the IF-Mel of an ideal tone at a pitch)', () => {
  it('puts energy on the bands of the partials and silence well below the fundamental', () => {
    const template = harmonicTemplate(lite, 60);
    assert.equal(template.length, lite.melBins * HARMONIC_TEMPLATE_CHANNELS);
    const f0Band = bandOf(hz(60));
    assert.ok(at(template, f0Band, 0) > 0, `fundamental band loud: ${at(template, f0Band, 0)}`);
    assert.ok(at(template, bandOf(2 * hz(60)), 0) > 0, 'second partial loud');
    assert.equal(at(template, bandOf(hz(60) / 3), 0), -1, 'nothing far below the fundamental');
    // Between the 1st and 2nd partials (a narrow low band at 1.5 f0) the tone is much quieter than on them.
    assert.ok(at(template, bandOf(1.5 * hz(60)), 0) < at(template, f0Band, 0) - 0.2);
  });

  it("gives the partial's own phase advance per hop as the IF of its band", () => {
    for (const midi of [36, 60, 79]) {
      const template = harmonicTemplate(lite, midi);
      const band = bandOf(hz(midi));
      const advance = (2 * Math.PI * hz(midi) * lite.hop) / lite.sampleRate;
      const cos = at(template, band, 1);
      const sin = at(template, band, 2);
      assert.ok(Math.abs(cos * cos + sin * sin - 1) < 1e-5, 'a unit phasor');
      const error = Math.abs(Math.atan2(Math.sin(Math.atan2(sin, cos) - advance), Math.cos(Math.atan2(sin, cos) - advance)));
      assert.ok(error < 0.1, `MIDI ${midi}: IF off by ${error} rad`);
    }
  });

  it('lays consecutive pitches out in order, and higher pitches move their energy up', () => {
    const table = harmonicTemplates(lite, 24, 84);
    const size = lite.melBins * HARMONIC_TEMPLATE_CHANNELS;
    assert.equal(table.length, 61 * size);
    assert.deepEqual(table.subarray(36 * size, 37 * size), harmonicTemplate(lite, 60));
    const lowestLoudBand = (t: Float32Array) => Array.from({ length: lite.melBins }, (_, m) => at(t, m, 0)).findIndex((v) => v > -0.5);
    assert.ok(lowestLoudBand(harmonicTemplate(lite, 72)) > lowestLoudBand(harmonicTemplate(lite, 48)));
  });

  it('works on every preset', () => {
    for (const name of ['tiny', 'lite', 'paper']) {
      const preset = getSpectralPreset(name);
      assert.equal(harmonicTemplate(preset, 84).length, preset.melBins * HARMONIC_TEMPLATE_CHANNELS);
    }
  });
});
