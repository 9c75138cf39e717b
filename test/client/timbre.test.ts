import assert from 'node:assert/strict';
import { latentForSeed } from '../../server/gansynth/latent.js';
import { blendLatents, norm, padWeights, timbreLatent } from '../../client/src/notes/timbre.js';

describe('client timbres', () => {
  it('makes the same latent for a seed as the server does', () => {
    for (const seed of [0, 7, 123456, 2 ** 31 - 1]) {
      assert.deepEqual(timbreLatent(seed, 64), latentForSeed(seed, 64), `seed ${seed}`);
    }
    assert.notDeepEqual(timbreLatent(1, 16), timbreLatent(2, 16));
  });

  it('rejects seeds and sizes that are not whole numbers', () => {
    assert.throws(() => timbreLatent(-1, 8), /non-negative integer/);
    assert.throws(() => timbreLatent(1.5, 8), /non-negative integer/);
    assert.throws(() => timbreLatent(1, 0), /positive integer/);
  });

  it('weights the pad corners bilinearly, summing to 1, clamped to the pad', () => {
    assert.deepEqual(padWeights({ x: 0, y: 0 }), [1, 0, 0, 0]);
    assert.deepEqual(padWeights({ x: 1, y: 1 }), [0, 0, 0, 1]);
    assert.deepEqual(padWeights({ x: 0.5, y: 0.5 }), [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(padWeights({ x: 3, y: -2 }), padWeights({ x: 1, y: 0 }));
    const w = padWeights({ x: 0.3, y: 0.8 });
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });

  it("is exactly a corner's latent at that corner", () => {
    const corners = [1, 2, 3, 4].map((s) => timbreLatent(s, 128));
    const atTopRight = blendLatents(corners, { x: 1, y: 0 });
    for (let i = 0; i < 128; i++) assert.ok(Math.abs(atTopRight[i]! - corners[1]![i]!) < 1e-5);
  });

  it('keeps blends as long as the corners (a plain average of random vectors would be half as long)', () => {
    const corners = [11, 12, 13, 14].map((s) => timbreLatent(s, 512));
    const centre = blendLatents(corners, { x: 0.5, y: 0.5 });
    const meanNorm = corners.reduce((sum, c) => sum + norm(c), 0) / 4;
    assert.ok(Math.abs(norm(centre) - meanNorm) / meanNorm < 1e-5);
    const average = new Float32Array(512).map((_, i) => corners.reduce((s, c) => s + c[i]!, 0) / 4);
    assert.ok(norm(average) < 0.6 * meanNorm, 'the plain average really is shorter');
    // The blend points the same way as the average: it is a rescaling, not another timbre.
    let dot = 0;
    for (let i = 0; i < 512; i++) dot += centre[i]! * average[i]!;
    assert.ok(Math.abs(dot / (norm(centre) * norm(average)) - 1) < 1e-5);
  });

  it('needs four corners of one size', () => {
    assert.throws(() => blendLatents([new Float32Array(4)], { x: 0, y: 0 }), /four corner/);
    assert.throws(() => blendLatents([new Float32Array(4), new Float32Array(4), new Float32Array(4), new Float32Array(5)], { x: 0, y: 0 }), /differ in size/);
  });
});
