import assert from 'node:assert/strict';
import { encodeWav } from '../../server/audio/wav.js';
import { decodeWav, monoMix, WavDecodeError } from '../../client/src/audio/wav-decode.js';

function sine(frames: number, hz: number, sampleRate: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));
}

describe('client WAV decoding', () => {
  for (const bitDepth of [16, 24, 32] as const) {
    it(`reads the server's ${bitDepth}-bit WAVs back to within their resolution`, () => {
      const samples = sine(1000, 440, 16000);
      const wav = decodeWav(encodeWav(samples, { sampleRate: 16000, bitDepth }), 'note.wav');
      assert.equal(wav.sampleRate, 16000);
      assert.equal(wav.frames, 1000);
      assert.equal(wav.bitDepth, bitDepth);
      assert.equal(wav.isFloat, bitDepth === 32);
      const tolerance = bitDepth === 16 ? 1 / 32768 : bitDepth === 24 ? 1 / 8388608 : 1e-7;
      const worst = samples.reduce((m, s, i) => Math.max(m, Math.abs(s - wav.channels[0]![i]!)), 0);
      assert.ok(worst <= tolerance * 1.01, `max error ${worst}`);
    });
  }

  it('mixes stereo to mono by averaging', () => {
    const left = Float32Array.from([0.5, -0.5, 0.25]);
    const right = Float32Array.from([0.5, 0.5, -0.25]);
    const wav = decodeWav(encodeWav([left, right], { sampleRate: 44100, bitDepth: 32 }));
    assert.deepEqual(Array.from(monoMix(wav)), [0.5, 0, 0]);
  });

  it('names the file and the problem for bytes that are not a usable WAV', () => {
    assert.throws(() => decodeWav(new TextEncoder().encode('not audio at all'), 'x.wav'), (e: Error) => e instanceof WavDecodeError && /x\.wav: not a RIFF\/WAVE/.test(e.message));
    const good = encodeWav(sine(10, 100, 8000), { sampleRate: 8000 });
    const noData = good.slice(0, 36); // header and fmt only
    assert.throws(() => decodeWav(noData, 'cut.wav'), /cut\.wav: no data chunk/);
    const wrongFormat = good.slice();
    new DataView(wrongFormat.buffer).setUint16(20, 2, true); // ADPCM
    assert.throws(() => decodeWav(wrongFormat, 'adpcm.wav'), /format 2 is not PCM or float/);
  });

  it('takes what is there from a file whose data chunk claims more than it holds', () => {
    const full = encodeWav(sine(100, 100, 8000), { sampleRate: 8000 });
    const truncated = full.slice(0, full.length - 50); // 25 frames short
    assert.equal(decodeWav(truncated).frames, 75);
  });
});
