import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { ParamStore } from '../../server/ml/params.js';
import { noteModelSpec, parseNoteModelSpec } from '../../server/gansynth/spec.js';
import { runGenerator, pitchOneHot } from '../../server/gansynth/generator.js';
import { pitchMapsAt, pitchTemplates } from '../../server/gansynth/pitch-maps.js';
import { harmonicTemplate } from '../../server/spectral/harmonic-template.js';

describe('gansynth pitch maps (harmonic templates fed to the generator)', () => {
  before(async () => {
    await initBackend();
  });

  it('new specs use them; a spec.json written before them loads without (one-hot pitch only)', () => {
    for (const preset of ['tiny', 'lite', 'paper']) assert.equal(noteModelSpec(preset).generator.pitchMaps, true);
    const older = JSON.parse(JSON.stringify(noteModelSpec('lite'))) as { generator: Record<string, unknown> };
    delete older.generator.pitchMaps;
    assert.equal(parseNoteModelSpec(older).generator.pitchMaps, false);
  });

  it("selects each pitch's template and averages bands down to a block's width, the same on every frame", () => {
    const spec = noteModelSpec('tiny');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const templates = pitchTemplates(spec, pitchOneHot(spec, [40, 70]));
      const melBins = spec.spectral.melBins;
      assert.deepEqual(templates.shape, [2, melBins, 3]);
      const rows = templates.arraySync();
      const expected = harmonicTemplate(spec.spectral, 70);
      rows[1]!.forEach((band, m) => band.forEach((v, c) => assert.ok(Math.abs(v - expected[m * 3 + c]!) < 1e-6)));
      const maps = pitchMapsAt(templates, 4, melBins / 4); // [2, 4, melBins/4, 3]
      assert.deepEqual(maps.shape, [2, 4, melBins / 4, 3]);
      const values = maps.arraySync();
      const mean = (m: number, c: number) => [0, 1, 2, 3].reduce((s, j) => s + expected[(4 * m + j) * 3 + c]!, 0) / 4;
      for (const frame of [0, 3]) values[1]![frame]!.forEach((band, m) => band.forEach((v, c) => assert.ok(Math.abs(v - mean(m, c)) < 1e-5)));
    });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  });

  it('the generator reads them: same latent, other pitch, other image; its first convs take 3 more channels', () => {
    const spec = noteModelSpec('tiny');
    const p = new ParamStore();
    const before = tf.memory().numTensors;
    try {
      tf.tidy(() => {
        const z = tf.randomNormal([1, spec.latentSize], 0, 1, 'float32', 3) as tf.Tensor2D;
        const a = runGenerator(p, spec, z, pitchOneHot(spec, [40]));
        const again = runGenerator(p, spec, z, pitchOneHot(spec, [40]));
        const b = runGenerator(p, spec, z, pitchOneHot(spec, [70]));
        assert.equal(tf.max(tf.abs(tf.sub(a, again))).dataSync()[0], 0);
        assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! > 1e-3);
      });
      const kernel = p.variable('g/block0/conv0/kernel');
      assert.equal(kernel.shape[2], spec.generator.channels[0]! + 3);
      assert.equal(p.variable('g/to_spectrogram/kernel').shape[2], spec.generator.channels.at(-1)! + 3);
    } finally {
      p.dispose();
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  });
});
