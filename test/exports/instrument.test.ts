import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { buildInstrumentFiles, sampleFileName, writeInstrumentFolder } from '../../server/exports/instrument.js';
import { decodeWav } from '../../server/audio/wav.js';
import { useTempDir } from '../helpers/tmp.js';

function tone(hz: number, sampleRate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
}

describe('sampler instrument export', () => {
  const tmp = useTempDir();
  const notes = [60, 62].flatMap((midiPitch) => [64, 127].map((velocity) => ({ midiPitch, velocity, audio: tone(261.6, 16000, 0.2) })));

  it('builds WAVs at 48 kHz / 24-bit, an .sfz naming each, and a zip holding both', () => {
    const files = buildInstrumentFiles(notes, { name: 'keys', sampleRate: 16000 });
    const names = Object.keys(files).sort();
    assert.deepEqual(names, ['keys.sfz', 'keys.zip', ...notes.map((n) => `samples/${sampleFileName(n.midiPitch, n.velocity)}`)].sort());
    const wav = decodeWav(files['samples/p060_v127.wav']!, 'p060_v127.wav');
    assert.equal(wav.sampleRate, 48000);
    assert.equal(Buffer.from(files['samples/p060_v127.wav']!).readUInt16LE(34), 24, 'bits per sample in the fmt chunk');
    assert.ok(Math.abs(wav.channels[0]!.length - 9600) <= 1, 'resampled to 48 kHz, same duration');
    const sfz = new TextDecoder().decode(files['keys.sfz']);
    for (const n of notes) assert.ok(sfz.includes(`sample=samples/${sampleFileName(n.midiPitch, n.velocity)}`));
    const unzipped = unzipSync(files['keys.zip']!);
    assert.deepEqual(Object.keys(unzipped).sort(), names.filter((n) => n !== 'keys.zip'));
    assert.ok(Buffer.from(unzipped['samples/p062_v064.wav']!).equals(Buffer.from(files['samples/p062_v064.wav']!)));
    const again = buildInstrumentFiles(notes, { name: 'keys', sampleRate: 16000 });
    assert.ok(Buffer.from(again['keys.zip']!).equals(Buffer.from(files['keys.zip']!)), 'byte-identical zip run to run');
  });

  it('rejects names that could become paths', () => {
    assert.throws(() => buildInstrumentFiles(notes, { name: '../evil', sampleRate: 16000 }), /instrument name "..\/evil"/);
  });

  it('writes the folder, replaces its own earlier output, and refuses to wipe unrelated files', async () => {
    const files = buildInstrumentFiles(notes, { name: 'keys', sampleRate: 16000 });
    const dir = path.join(tmp(), 'inst');
    await writeInstrumentFolder(dir, files);
    assert.deepEqual(readdirSync(dir).sort(), ['keys.sfz', 'keys.zip', 'samples']);
    await writeInstrumentFolder(dir, files);
    const other = path.join(tmp(), 'work');
    mkdirSync(other);
    writeFileSync(path.join(other, 'song.als'), 'precious');
    await assert.rejects(writeInstrumentFolder(other, files), /already holds other files/);
    assert.equal(readFileSync(path.join(other, 'song.als'), 'utf8'), 'precious');
    assert.ok(!existsSync(path.join(other, 'keys.sfz')));
  });
});
