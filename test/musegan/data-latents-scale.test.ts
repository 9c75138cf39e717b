import { strict as assert } from 'node:assert';
import { LoopBatches } from '../../server/musegan/batches.js';
import { latentForSeed, walkLatents } from '../../server/musegan/latents.js';
import { packPhrases, phraseSource } from '../../server/musegan/phrase-data.js';
import { inScaleShare, parseKey, parseScale, scalePitchMask, snapToScale } from '../../server/musegan/scale.js';
import { loopShape, loopSpecFromPreset } from '../../server/musegan/spec.js';
import { grooveRoll } from './fixtures.js';

const spec = loopSpecFromPreset('tiny');
const norm = (v: Float32Array) => Math.hypot(...v);
const distance = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((x, i) => x - b[i]!));

describe('musegan latents, batches and scales', () => {
  it('a seed always gives the same latent; the walk starts at it, keeps norms and moves step by step', () => {
    assert.deepEqual(latentForSeed(spec, 9), latentForSeed(spec, 9));
    assert.notDeepEqual(latentForSeed(spec, 9).sharedTemporal, latentForSeed(spec, 10).sharedTemporal);
    const walk = walkLatents(spec, 9, 4);
    assert.deepEqual(walk[0], latentForSeed(spec, 9), 'phrase 0 is the seed itself');
    for (const phrase of walk) {
      assert.deepEqual(phrase.shared, walk[0]!.shared, 'time-independent latents stay');
      assert.ok(Math.abs(norm(phrase.sharedTemporal) - norm(walk[0]!.sharedTemporal)) < 1e-3);
    }
    const step = distance(walk[0]!.sharedTemporal, walk[1]!.sharedTemporal);
    assert.ok(Math.abs(distance(walk[1]!.sharedTemporal, walk[2]!.sharedTemporal) - step) < 1e-3, 'equal steps along the circle');
    assert.ok(step < distance(walk[0]!.sharedTemporal, latentForSeed(spec, 10).sharedTemporal) * 0.75, 'closer than an unrelated latent');
  });

  it('batches are a pure function of (seed, number); shares are slices of the whole; drums never transpose', () => {
    const rolls = [0, 2, 4, 5, 7, 9].map((t) => grooveRoll(t).data);
    const source = phraseSource(packPhrases(rolls));
    assert.deepEqual(source.get(3), rolls[3]);
    const options = { batchSize: 4, seed: 3, conditionRate: 0.5, transposeSemitones: 5 };
    const a = new LoopBatches(source, spec, options);
    const b = new LoopBatches(source, spec, options);
    const whole = a.batch(7);
    assert.deepEqual(b.batch(7), whole);
    assert.notDeepEqual(a.batch(8).real, whole.real);
    const size = loopShape(spec).phraseSize;
    const share = b.batch(7, 2, 2);
    assert.deepEqual(share.real, whole.real.subarray(2 * size, 4 * size));
    assert.deepEqual(share.mask, whole.mask.subarray(10, 20));

    let conditioned = 0;
    let wrongGiven = 0;
    const drumsOf = (cells: ArrayLike<number>) => Array.from({ length: size / 5 }, (_, i) => cells[i * 5]).join('');
    const drums = new Set(rolls.map(drumsOf));
    for (let k = 0; k < 10; k++) {
      const batch = a.batch(k);
      for (let s = 0; s < batch.size; s++) {
        const mask = Array.from(batch.mask.subarray(s * 5, s * 5 + 5));
        const given = mask.reduce((x, y) => x + y, 0);
        assert.ok(given < 5, 'never every track given');
        if (given > 0) conditioned++;
        for (let i = 0; i < size; i++) if (batch.given[s * size + i] !== batch.real[s * size + i]! * mask[i % 5]!) wrongGiven++;
        assert.ok(drums.has(drumsOf(batch.real.subarray(s * size, (s + 1) * size))), "the drum track is the groove's own, whatever the transposition");
      }
    }
    assert.equal(wrongGiven, 0, 'given = real on given tracks, 0 elsewhere');
    assert.ok(conditioned > 8 && conditioned < 32, `about half the phrases are conditioned (${conditioned} of 40)`);
  });

  it('keys and scales: names parse, masks hold the scale, snapping moves notes onto it', () => {
    assert.deepEqual(['C', 'c#', 'Db', 'Bb', 'B', 'F♯'].map(parseKey), [0, 1, 1, 10, 11, 6]);
    assert.throws(() => parseKey('H'), /key "H" is not a note name/);
    assert.throws(() => parseScale('lydian-augmented'), /scale "lydian-augmented" is not known/);
    const cMajor = scalePitchMask(0, 'major', 24, 12);
    assert.deepEqual(cMajor.map((v) => (v ? 1 : 0)), [1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]);
    assert.deepEqual(scalePitchMask(9, 'minor', 24, 12), cMajor, 'A minor has the notes of C major');
    // One row of 12 pitches x 2 tracks (0 = drums, skipped; 1 = pitched).
    const probs = new Float32Array(24);
    probs[1 * 2 + 1] = 0.9; // C# -> C or D: D is likelier
    probs[2 * 2 + 1] = 0.3;
    probs[6 * 2 + 1] = 0.7; // F# -> F or G, equal (0): the lower
    probs[3 * 2 + 0] = 0.8; // drums keep D#
    const options = { inScale: cMajor, pitchCount: 12, tracks: 2, skipTracks: [0] };
    assert.ok(Math.abs(inScaleShare(probs, options) - 0.3 / 1.9) < 1e-6);
    snapToScale(probs, options);
    const pitched = Array.from({ length: 12 }, (_, p) => Number(probs[p * 2 + 1]!.toFixed(2)));
    assert.deepEqual(pitched, [0, 0, 0.9, 0, 0, 0.7, 0, 0, 0, 0, 0, 0]);
    assert.equal(Number(probs[3 * 2]!.toFixed(2)), 0.8);
  });
});
