import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { noteModelSpec } from '../../server/gansynth/spec.js';
import { noteTrainDefaults } from '../../server/gansynth/train-config.js';
import { trainNoteModel } from '../../server/gansynth/trainer.js';
import { NoteModel } from '../../server/gansynth/note-model.js';
import { latentForSeed } from '../../server/gansynth/latent.js';
import { velocityGain } from '../../server/gansynth/note-shape.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { syntheticNotes } from './helpers/synthetic-notes.js';

function peak(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('gansynth NoteModel', () => {
  let root = '';
  let modelDir = '';
  let model: NoteModel;
  const all61 = Array.from({ length: 61 }, (_, i) => 24 + i);

  before(async () => {
    await initBackend();
    root = mkdtempSync(path.join(tmpdir(), 'studio-notemodel-'));
    modelDir = path.join(root, 'notes-tiny');
    const { data } = syntheticNotes([48, 60]);
    await trainNoteModel({ outDir: modelDir, data, spec: noteModelSpec('tiny'), config: { ...noteTrainDefaults, steps: 2, batchSize: 4, previewPitches: [60] } });
    model = await NoteModel.load(modelDir);
  });

  after(() => {
    model?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('loads a folder or a model id under a models directory, and says clearly what is wrong otherwise', async () => {
    const byId = await NoteModel.load('notes-tiny', { modelsDir: root });
    assert.equal(byId.spec.preset, 'tiny');
    byId.dispose();
    await assert.rejects(NoteModel.load('no-such-model', { modelsDir: root }), /unknown model "no-such-model"/);
    const broken = path.join(root, 'broken');
    await assert.rejects(NoteModel.load(broken), /not a model folder/);
  });

  it('gives the same bytes for the same seed, another timbre for another seed, and the model length and rate', () => {
    const a = model.generate({ pitches: [60], seed: 7 })[0]!;
    const b = model.generate({ pitches: [60], seed: 7 })[0]!;
    const c = model.generate({ pitches: [60], seed: 8 })[0]!;
    assert.ok(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)));
    assert.ok(!Buffer.from(a.buffer).equals(Buffer.from(c.buffer)));
    assert.equal(a.length, model.spec.spectral.samples);
    assert.equal(model.sampleRate, 16000);
  });

  it('renders 61 pitches in two forward passes, matching notes generated one by one, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      model.generateImages(all61.map(() => latentForSeed(3, model.spec.latentSize)), all61);
    });
    assert.equal(profile.kernels.filter((k) => k.name === 'Tanh').length, 2, 'two generator passes');
    const batch = model.generate({ pitches: all61, seed: 3 });
    const single = model.generate({ pitches: [all61[40]!], seed: 3 })[0]!;
    const diff = batch[40]!.reduce((m, v, i) => Math.max(m, Math.abs(v - single[i]!)), 0);
    assert.ok(diff < 1e-4, `batched and single notes differ by ${diff}`);
    assert.equal(tf.memory().numTensors, before);
  });

  it('applies velocity as level and duration as length', () => {
    const loud = model.generate({ pitches: [60], seed: 1, velocity: 127 })[0]!;
    const soft = model.generate({ pitches: [60], seed: 1, velocity: 64 })[0]!;
    assert.ok(Math.abs(peak(soft) / peak(loud) - velocityGain(64) / velocityGain(127)) < 1e-4);
    assert.equal(model.generate({ pitches: [60], seed: 1, seconds: 0.25 })[0]!.length, 4000);
    assert.equal(model.generate({ pitches: [60], seed: 1, seconds: 2 })[0]!.length, 32000);
  });

  it('rejects pitches outside 24-84 and latents of the wrong size', () => {
    assert.throws(() => model.generate({ pitches: [23] }), /pitch 23 is outside this model's range: MIDI 24-84/);
    assert.throws(() => model.generate({ pitches: [85] }), /pitch 85/);
    assert.throws(() => model.generate({ pitches: [60], latents: new Float32Array(3) }), /latent size is 8/);
  });
});
