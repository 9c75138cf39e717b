import { strict as assert } from 'node:assert';
import { buildSfz, keyRanges, velocityRanges } from '../../server/exports/sfz.js';

describe('sfz', () => {
  it('splits velocity layers halfway between rendered velocities and covers 1-127', () => {
    assert.deepEqual(velocityRanges([100, 50, 127]), [
      { velocity: 50, low: 1, high: 75 },
      { velocity: 100, low: 76, high: 113 },
      { velocity: 127, low: 114, high: 127 },
    ]);
    assert.deepEqual(velocityRanges([90]), [{ velocity: 90, low: 1, high: 127 }]);
  });

  it('maps each key to its nearest sample, optionally extending the ends', () => {
    assert.deepEqual(keyRanges([60, 64, 67], false), [
      { midiPitch: 60, low: 60, high: 62 },
      { midiPitch: 64, low: 63, high: 65 },
      { midiPitch: 67, low: 66, high: 67 },
    ]);
    const extended = keyRanges([60, 64], true);
    assert.equal(extended[0]!.low, 0);
    assert.equal(extended[1]!.high, 127);
  });

  it('writes one region per sample with its key centre, no loops, and a release fade', () => {
    const samples = [60, 61, 62].flatMap((p) => [50, 127].map((v) => ({ midiPitch: p, velocity: v, file: `samples/p${p}_v${v}.wav` })));
    const text = buildSfz(samples, { comment: 'made by a test', releaseSeconds: 0.25 });
    assert.match(text, /^\/\/ made by a test\n/);
    assert.match(text, /loop_mode=no_loop/);
    assert.match(text, /ampeg_release=0\.25/);
    assert.match(text, /amp_veltrack=0/, 'levels are baked into the layers');
    const regions = text.split('\n').filter((l) => l.startsWith('<region>'));
    assert.equal(regions.length, 6);
    assert.ok(regions.includes('<region> sample=samples/p61_v127.wav lokey=61 hikey=61 pitch_keycenter=61'));
    assert.match(text, /<group> lovel=1 hivel=88\n<region> sample=samples\/p60_v50\.wav/);
  });
});
