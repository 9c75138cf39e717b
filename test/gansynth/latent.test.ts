import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { interpolateLatents, latentForSeed, readLatentFile, slerp } from '../../server/gansynth/latent.js';
import { useTempDir } from '../helpers/tmp.js';

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

describe('gansynth latents', () => {
  const tmp = useTempDir();

  it('gives the same bytes for the same seed, other bytes for another', () => {
    const a = latentForSeed(42, 64);
    assert.deepEqual(Buffer.from(a.buffer), Buffer.from(latentForSeed(42, 64).buffer));
    assert.notDeepEqual(a, latentForSeed(43, 64));
    assert.throws(() => latentForSeed(-1, 8), /non-negative integer/);
  });

  it('slerp starts at a, ends at b, and keeps the norm where a straight line would shrink it', () => {
    const a = latentForSeed(1, 256);
    const b = latentForSeed(2, 256);
    const start = slerp(a, b, 0);
    const end = slerp(a, b, 1);
    for (let i = 0; i < a.length; i++) {
      assert.ok(Math.abs(start[i]! - a[i]!) < 1e-5);
      assert.ok(Math.abs(end[i]! - b[i]!) < 1e-5);
    }
    const mid = slerp(a, b, 0.5);
    const lerpMid = a.map((v, i) => (v + b[i]!) / 2);
    const expectedNorm = (norm(a) + norm(b)) / 2;
    assert.ok(Math.abs(norm(mid) - expectedNorm) / expectedNorm < 0.05, `slerp mid norm ${norm(mid)} vs ${expectedNorm}`);
    assert.ok(norm(lerpMid) < 0.8 * expectedNorm, 'the straight line passes through low-norm latents');
  });

  it('interpolates K steps inclusive', () => {
    const steps = interpolateLatents(latentForSeed(1, 16), latentForSeed(2, 16), 5);
    assert.equal(steps.length, 5);
    assert.throws(() => interpolateLatents(latentForSeed(1, 16), latentForSeed(2, 16), 1), /--steps/);
  });

  it('reads JSON and float32 latent files, and rejects the wrong size naming the file', async () => {
    const json = path.join(tmp(), 'z.json');
    const values = Array.from(latentForSeed(5, 8));
    writeFileSync(json, JSON.stringify(values));
    assert.deepEqual(Array.from(await readLatentFile(json, 8)), Array.from(Float32Array.from(values)));
    const raw = path.join(tmp(), 'z.f32');
    writeFileSync(raw, Buffer.from(Float32Array.from(values).buffer));
    assert.deepEqual(await readLatentFile(raw, 8), Float32Array.from(values));
    await assert.rejects(readLatentFile(json, 16), (err: Error) => err.message.includes('z.json') && /latent size is 16/.test(err.message));
    writeFileSync(json, '{"oops"');
    await assert.rejects(readLatentFile(json, 8), /not JSON/);
  });
});
