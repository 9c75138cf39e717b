import assert from 'node:assert/strict';
import { zipSync, strToU8 } from 'fflate';
import { encodeWav } from '../../server/audio/wav.js';
import { buildInstrumentFiles } from '../../server/exports/instrument.js';
import { parseSfzRegions, pickLayers, readInstrumentZip, sampleFileName, writeInstrumentZip } from '../../client/src/audio/instrument-package.js';
import { decodeWav } from '../../client/src/audio/wav-decode.js';

const tone = (midiPitch: number, sampleRate: number) =>
  Float32Array.from({ length: 400 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * 2 ** ((midiPitch - 69) / 12) * i) / sampleRate));

describe('client instrument packages', () => {
  it("reads the server's SFZ instrument zip: every sample with its pitch and velocity", () => {
    const notes = [48, 60, 72].flatMap((midiPitch) => [64, 110].map((velocity) => ({ midiPitch, velocity, audio: tone(midiPitch, 16000) })));
    const files = buildInstrumentFiles(notes, { name: 'notes-default_seed7', sampleRate: 16000, outputSampleRate: 16000, bitDepth: 16 });
    const unpacked = readInstrumentZip(files['notes-default_seed7.zip']!, 'notes-default_seed7.zip');
    assert.equal(unpacked.sfzPath, 'notes-default_seed7.sfz');
    assert.deepEqual(unpacked.samples.map((s) => [s.midiPitch, s.velocity]).sort(), notes.map((n) => [n.midiPitch, n.velocity]).sort());
    for (const sample of unpacked.samples) {
      const original = notes.find((n) => n.midiPitch === sample.midiPitch && n.velocity === sample.velocity)!;
      const wav = decodeWav(sample.bytes, sample.path);
      assert.equal(wav.frames, original.audio.length);
      assert.ok(Math.abs(wav.channels[0]![100]! - original.audio[100]!) < 1e-4);
    }
  });

  it('writes a zip in the same layout that reads back (folder/name.sfz + samples/)', () => {
    const samples = [50, 62].map((midiPitch) => ({ midiPitch, velocity: 100, wav: encodeWav(tone(midiPitch, 22050), { sampleRate: 22050, bitDepth: 24 }) }));
    const zip = writeInstrumentZip(samples, { name: 'notes-default_pad-1-2-3-4-x0.50-y0.50_D3-D4', comment: 'test' });
    const unpacked = readInstrumentZip(zip);
    assert.equal(unpacked.sfzPath, 'notes-default_pad-1-2-3-4-x0.50-y0.50_D3-D4/notes-default_pad-1-2-3-4-x0.50-y0.50_D3-D4.sfz');
    assert.deepEqual(unpacked.samples.map((s) => s.path.split('/').pop()), [sampleFileName(50, 100), sampleFileName(62, 100)]);
    assert.deepEqual(unpacked.samples.map((s) => s.bytes), samples.map((s) => s.wav));
    assert.equal(sampleFileName(61, 90), '061_Cs4_v90.wav');
    assert.throws(() => writeInstrumentZip(samples, { name: '../evil' }), /letters, digits/);
  });

  it('parses SFZ regions with group opcodes, comments and key= shorthand', () => {
    const regions = parseSfzRegions(`// made by hand
<global> loop_mode=no_loop
<group> lovel=1 hivel=80
<region> sample=soft/c4.wav pitch_keycenter=60 lokey=58 hikey=62
<group> lovel=81 hivel=127
<region> sample=loud\\c4.wav key=60
<region> lokey=70 sample=loud/a4.wav
<region> sample=nopitch.wav`);
    assert.deepEqual(regions, [
      { sample: 'soft/c4.wav', midiPitch: 60, lovel: 1, hivel: 80 },
      { sample: 'loud/c4.wav', midiPitch: 60, lovel: 81, hivel: 127 },
      { sample: 'loud/a4.wav', midiPitch: 70, lovel: 81, hivel: 127 },
    ]);
  });

  it('keeps one layer per pitch, the one nearest velocity 100', () => {
    const picked = pickLayers([
      { midiPitch: 60, velocity: 40 }, { midiPitch: 60, velocity: 96 }, { midiPitch: 60, velocity: 127 }, { midiPitch: 48, velocity: 20 },
    ]);
    assert.deepEqual(picked, [{ midiPitch: 48, velocity: 20 }, { midiPitch: 60, velocity: 96 }]);
  });

  it('says what is wrong with a broken package', () => {
    assert.throws(() => readInstrumentZip(strToU8('PK but not really'), 'x.zip'), /x\.zip: not a readable zip/);
    assert.throws(() => readInstrumentZip(zipSync({ 'a.wav': new Uint8Array(4) }), 'y.zip'), /y\.zip: has no \.sfz/);
    const missing = zipSync({ 'i.sfz': strToU8('<region> sample=samples/gone.wav pitch_keycenter=60') });
    assert.throws(() => readInstrumentZip(missing, 'z.zip'), /i\.sfz names samples\/gone\.wav, which the zip does not hold/);
  });
});
