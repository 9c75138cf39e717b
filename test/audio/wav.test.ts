import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WaveFile } from '../../server/audio/wavefile.js';
import { decodeWav, encodeWav, readWav, toMono, writeWav, type WavBitDepth } from '../../server/audio/wav.js';
import { StudioError } from '../../server/util/errors.js';
import { projectRoot } from '../../server/util/version.js';
import { sine } from './rendered-notes.js';

const fixtures = path.join(projectRoot(), 'test/fixtures/audio');

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function expectBadFile(file: string, pattern: RegExp, code = 'BAD_FILE'): Promise<void> {
  await assert.rejects(readWav(file), (err: unknown) => {
    assert.ok(err instanceof StudioError, `expected a StudioError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('audio/wav', () => {
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-wav-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  describe('reading files written by other encoders (test/fixtures/audio, Python)', () => {
    it('16-bit stereo 44.1 kHz', async () => {
      const audio = await readWav(path.join(fixtures, 'pcm16-stereo-44100-440-660.wav'));
      assert.equal(audio.sampleRate, 44100);
      assert.equal(audio.channels.length, 2);
      assert.equal(audio.channels[0]!.length, 2205);
      assert.ok(maxDiff(audio.channels[0]!, sine(440, 44100, 2205)) < 2 / 32768);
      assert.ok(maxDiff(audio.channels[1]!, sine(660, 44100, 2205)) < 2 / 32768);
    });

    it('8-bit unsigned mono', async () => {
      const audio = await readWav(path.join(fixtures, 'pcm8-mono-8000-440.wav'));
      assert.equal(audio.sampleRate, 8000);
      assert.equal(audio.channels.length, 1);
      assert.ok(maxDiff(audio.channels[0]!, sine(440, 8000, 800)) < 1.5 / 128);
    });

    it('24-bit WAVE_FORMAT_EXTENSIBLE with an odd-sized chunk before the data', async () => {
      const audio = await readWav(path.join(fixtures, 'ext24-mono-48000-1000.wav'));
      assert.equal(audio.sampleRate, 48000);
      assert.ok(maxDiff(audio.channels[0]!, sine(1000, 48000, 1440)) < 2 / 8388608);
    });

    it('64-bit float', async () => {
      const audio = await readWav(path.join(fixtures, 'float64-mono-22050-220.wav'));
      assert.equal(audio.sampleRate, 22050);
      assert.ok(maxDiff(audio.channels[0]!, sine(220, 22050, 1102)) < 1e-7);
    });
  });

  it('decodes every layout wavefile writes, as wavefile itself reads it', () => {
    const frames = 500;
    const left = sine(300, 32000, frames, 0.7);
    const right = sine(700, 32000, frames, -0.4);
    for (const depth of ['8', '16', '24', '32', '32f', '64']) {
      const isFloat = depth === '32f' || depth === '64';
      const bits = Number.parseInt(depth, 10);
      const scale = isFloat ? 1 : 2 ** (bits - 1) - 1;
      const offset = depth === '8' ? 128 : 0;
      const quantise = (ch: Float32Array): number[] => Array.from(ch, (v) => (isFloat ? v : Math.round(v * scale) + offset));
      const wav = new WaveFile();
      wav.fromScratch(2, 32000, depth, [quantise(left), quantise(right)]);
      const audio = decodeWav(wav.toBuffer(), `wavefile-${depth}.wav`);
      assert.equal(audio.sampleRate, 32000, depth);
      assert.equal(audio.channels.length, 2, depth);
      const tolerance = isFloat ? 1e-7 : 2 / 2 ** (bits - 1);
      assert.ok(maxDiff(audio.channels[0]!, left) <= tolerance, `${depth}-bit left`);
      assert.ok(maxDiff(audio.channels[1]!, right) <= tolerance, `${depth}-bit right`);
    }
  });

  it('reads rarer encodings through wavefile (A-law, mu-law)', () => {
    const tone = sine(440, 8000, 400, 0.5);
    for (const law of ['alaw', 'mulaw'] as const) {
      const wav = new WaveFile();
      wav.fromScratch(1, 8000, '16', Array.from(tone, (v) => Math.round(v * 32767)));
      if (law === 'alaw') wav.toALaw();
      else wav.toMuLaw();
      const audio = decodeWav(wav.toBuffer(), `${law}.wav`);
      assert.equal(audio.sampleRate, 8000);
      // Companding keeps ~8 bits of precision.
      assert.ok(maxDiff(audio.channels[0]!, tone) < 0.02, law);
    }
  });

  for (const bitDepth of [16, 24, 32] as WavBitDepth[]) {
    for (const sampleRate of [16000, 44100, 48000]) {
      it(`writes ${bitDepth === 32 ? '32-bit float' : `${bitDepth}-bit PCM`} at ${sampleRate} Hz that wavefile and our reader agree on`, () => {
        const tone = sine(1000, sampleRate, 1000, 0.9);
        const bytes = encodeWav(tone, { sampleRate, bitDepth });
        const ours = decodeWav(bytes, 'ours.wav');
        const theirs = new WaveFile(bytes);
        assert.equal(ours.sampleRate, sampleRate);
        assert.equal((theirs.fmt as { sampleRate: number }).sampleRate, sampleRate);
        assert.equal(theirs.bitDepth, bitDepth === 32 ? '32f' : String(bitDepth));
        const step = bitDepth === 16 ? 1 / 32768 : bitDepth === 24 ? 1 / 8388608 : 0;
        assert.ok(maxDiff(ours.channels[0]!, tone) <= step / 2 + 1e-9);
        const raw = theirs.getSamples(false, Float64Array) as unknown as Float64Array;
        const theirScale = bitDepth === 32 ? 1 : bitDepth === 16 ? 32768 : 8388608;
        assert.ok(maxDiff(Array.from(raw, (v) => v / theirScale), ours.channels[0]!) < 1e-7);
      });
    }
  }

  it('writes several channels, clips integer formats to [-1, 1] and replaces NaN with silence', () => {
    const a = Float32Array.of(0.5, 1.5, -2, Number.NaN);
    const b = Float32Array.of(-0.25, 0, 0.25, 1);
    const audio = decodeWav(encodeWav([a, b], { sampleRate: 22050, bitDepth: 24 }), 'two.wav');
    assert.equal(audio.channels.length, 2);
    assert.deepEqual(Array.from(audio.channels[0]!, (v) => Math.round(v * 1e6) / 1e6), [0.5, 1, -1, 0]);
    assert.ok(maxDiff(audio.channels[1]!, b) < 1e-6);
  });

  it('toMono averages the channels', () => {
    const mono = toMono({ sampleRate: 8000, channels: [Float32Array.of(1, 0, 0.5), Float32Array.of(0, 1, -0.5)] });
    assert.deepEqual(Array.from(mono), [0.5, 0.5, 0]);
  });

  it('writeWav replaces a file atomically and leaves no temp files', async () => {
    const target = path.join(tmp, 'atomic', 'note.wav');
    await writeWav(target, sine(440, 16000, 1600), { sampleRate: 16000 });
    await writeWav(target, sine(880, 16000, 800), { sampleRate: 16000, bitDepth: 24 });
    const audio = await readWav(target);
    assert.equal(audio.channels[0]!.length, 800);
    assert.deepEqual(await fs.readdir(path.dirname(target)), ['note.wav']);
    // Invalid options fail before anything is written: the old file survives.
    await assert.rejects(writeWav(target, sine(440, 16000, 10), { sampleRate: 16000, bitDepth: 8 as WavBitDepth }), StudioError);
    assert.equal((await readWav(target)).channels[0]!.length, 800);
    assert.deepEqual(await fs.readdir(path.dirname(target)), ['note.wav']);
  });

  describe('bad files get a clear error naming the file', () => {
    it('zero-length', () => expectBadFile(path.join(fixtures, 'empty.wav'), /empty \(0 bytes\)/));
    it('not RIFF (an MP3 renamed)', () => expectBadFile(path.join(fixtures, 'not-riff.wav'), /not a WAV file.*"ID3/));
    it('truncated', () => expectBadFile(path.join(fixtures, 'truncated.wav'), /truncated: the data chunk declares 2000 bytes of audio but only 600 follow/));

    it('cut inside the header', async () => {
      const whole = await fs.readFile(path.join(fixtures, 'pcm16-stereo-44100-440-660.wav'));
      const file = path.join(tmp, 'header-cut.wav');
      await fs.writeFile(file, whole.subarray(0, 30));
      await expectBadFile(file, /no fmt chunk|damaged fmt chunk/);
    });

    it('a data chunk with no samples', async () => {
      const file = path.join(tmp, 'no-samples.wav');
      await fs.writeFile(file, encodeWav(new Float32Array(0), { sampleRate: 16000 }));
      await expectBadFile(file, /no audio \(0 samples\)/);
    });

    it('RIFF but not WAVE', async () => {
      const file = path.join(tmp, 'avi.wav');
      const bytes = Buffer.from(encodeWav(sine(1, 16000, 10), { sampleRate: 16000 }));
      bytes.write('AVI ', 8, 'latin1');
      await fs.writeFile(file, bytes);
      await expectBadFile(file, /RIFF file but not WAVE/);
    });

    it('impossible channel count', () => {
      const bytes = Buffer.from(encodeWav(sine(1, 16000, 10), { sampleRate: 16000 }));
      bytes.writeUInt16LE(0, 22);
      assert.throws(() => decodeWav(bytes, 'zero-channels.wav'), /zero-channels\.wav: has 0 channels/);
    });

    it('absurdly large: refused from its size, before reading', async () => {
      const file = path.join(tmp, 'huge.wav');
      const handle = await fs.open(file, 'w');
      await handle.truncate(3 * 1024 * 1024 * 1024); // sparse: 3 GiB of nothing on disk
      await handle.close();
      await expectBadFile(file, /3072\.0 MiB is larger than the 512\.0 MiB limit/, 'TOO_LARGE');
    });

    it('a missing file is NOT_FOUND', () => expectBadFile(path.join(tmp, 'nope.wav'), /no such file/, 'NOT_FOUND'));
  });
});
