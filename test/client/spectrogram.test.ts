import assert from 'node:assert/strict';
import { dbAt, logFrequencyRows, spectrogram, waveformEnvelope } from '../../client/src/audio/spectrogram.js';
import { rampColor } from '../../client/src/audio/colormap.js';

describe('client spectrogram and waveform', () => {
  it("puts a sine tone's energy in the bin of its frequency", () => {
    const sampleRate = 16000;
    const hz = 1000;
    const samples = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / sampleRate));
    const spec = spectrogram(samples, sampleRate, { nFft: 512, hop: 128 });
    assert.equal(spec.bins, 257);
    assert.equal(spec.frames, Math.floor(8000 / 128) + 1);
    const middle = Math.floor(spec.frames / 2);
    const row = Array.from(spec.db.subarray(middle * spec.bins, (middle + 1) * spec.bins));
    const peak = row.indexOf(Math.max(...row));
    assert.equal(peak, Math.round(hz / (sampleRate / 512))); // bin 32
    assert.ok(Math.max(...row) > -1, 'the peak is near 0 dB (the loudest cell)');
    assert.ok(row[200]! < -60, `far from the tone it is quiet, got ${row[200]} dB`);
    assert.ok(row.every((v) => v >= -spec.rangeDb - 1e-6));
  });

  it('is silent (all at the floor) for silence, without NaNs', () => {
    const spec = spectrogram(new Float32Array(1000), 8000, { nFft: 256, hop: 64, rangeDb: 60 });
    assert.ok(spec.db.every((v) => v === -60));
  });

  it('rejects FFT sizes that are not powers of two', () => {
    assert.throws(() => spectrogram(new Float32Array(10), 8000, { nFft: 300 }), /power of two/);
  });

  it('spaces display rows evenly in log frequency from the top (Nyquist) down', () => {
    const rows = logFrequencyRows(5, { bins: 513, sampleRate: 16000, nFft: 1024 }, 50);
    const binHz = 16000 / 1024;
    assert.ok(Math.abs(rows[0]! * binHz - 8000) < 1e-3);
    assert.ok(Math.abs(rows[4]! * binHz - 50) < 1e-3);
    const ratios = [0, 1, 2, 3].map((i) => rows[i]! / rows[i + 1]!);
    for (const r of ratios) assert.ok(Math.abs(r - ratios[0]!) < 1e-3);
  });

  it('interpolates dB between neighbouring bins', () => {
    const spec = { frames: 1, bins: 3, sampleRate: 8, nFft: 4, hop: 1, rangeDb: 80, db: Float32Array.from([-80, -40, 0]) };
    assert.equal(dbAt(spec, 0, 1.5), -20);
    assert.equal(dbAt(spec, 0, 2), 0);
  });

  it('keeps the min and max under each pixel column', () => {
    const samples = Float32Array.from([0, 0.5, -0.25, 0.1, -1, 0.9]);
    const { min, max } = waveformEnvelope(samples, 3);
    assert.deepEqual(Array.from(min), [0, -0.25, -1]);
    assert.deepEqual(Array.from(max), [0.5, Math.fround(0.1), Math.fround(0.9)]);
    const wide = waveformEnvelope(Float32Array.from([0.5]), 4);
    assert.deepEqual(Array.from(wide.max), [0.5, 0.5, 0.5, 0.5]);
  });

  it('maps the colour ramp from dark to bright, clamped', () => {
    const brightness = (t: number) => {
      const [r, g, b] = rampColor(t);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    assert.deepEqual(rampColor(-1), rampColor(0));
    assert.deepEqual(rampColor(2), [252, 255, 164]);
    for (let i = 0; i < 10; i++) assert.ok(brightness((i + 1) / 10) > brightness(i / 10), `brighter after ${i / 10}`);
  });
});
