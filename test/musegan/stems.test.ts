import { strict as assert } from 'node:assert';
import { decodeWav } from '../../server/audio/wav.js';
import { renderStems } from '../../server/musegan/stems.js';
import { addNote, emptyRoll } from '../../server/music/roll.js';
import { grooveRoll } from './fixtures.js';

const rms = (x: Float32Array, from: number, to: number) => Math.sqrt(x.subarray(from, to).reduce((s, v) => s + v * v, 0) / (to - from));

describe('loop stems (GM SoundFont)', function () {
  this.timeout(120_000);

  it('one stereo WAV per track with notes plus the mix, exactly the loop long, the same bytes every time', async () => {
    const roll = grooveRoll(0, { bars: 1, tempoBpm: 150 });
    const stems = await renderStems(roll, { sampleRate: 16000 });
    assert.deepEqual(Object.keys(stems).sort(), ['bass.wav', 'drums.wav', 'guitar.wav', 'mix.wav', 'piano.wav', 'strings.wav']);
    const loopSamples = Math.round(4 * (60 / 150) * 16000);
    for (const [name, bytes] of Object.entries(stems)) {
      const wav = decodeWav(bytes, name);
      assert.equal(wav.sampleRate, 16000);
      assert.equal(wav.channels.length, 2);
      assert.equal(wav.channels[0]!.length, loopSamples, name);
      assert.ok(rms(wav.channels[0]!, 0, loopSamples) > 1e-3, `${name} is not silent`);
    }
    const again = await renderStems(roll, { sampleRate: 16000 });
    assert.deepEqual(again['mix.wav'], stems['mix.wav']);
  });

  it('loops seamlessly: a note ringing over the end is heard at the start, where nothing starts', async () => {
    const roll = emptyRoll({ bars: 1, tempoBpm: 120 });
    addNote(roll, { track: 'strings', midiPitch: 60, startStep: 24, endStep: 48 }); // second half of the bar only
    const wav = decodeWav((await renderStems(roll, { sampleRate: 16000, mix: false }))['strings.wav']!, 'strings.wav');
    const left = wav.channels[0]!;
    const half = left.length / 2;
    assert.ok(rms(left, half + 400, left.length) > 1e-3, 'the note sounds in the second half');
    assert.ok(rms(left, 0, 200) > 1e-4, 'its release continues at the loop start');
    assert.ok(rms(left, half - 2000, half - 400) < rms(left, half + 400, left.length) / 10, 'quiet before the note');
  });
});
