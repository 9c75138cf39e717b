import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../server/ml/tf.js';
import { loadModelFolder, readModelSummary, saveModelFolder, recoverModelFolder, type ModelMetadata } from '../../server/checkpoints/folder.js';
import { resolveModelDir } from '../../server/checkpoints/resolve.js';
import { useTempDir } from '../helpers/tmp.js';

function metadata(step: number): ModelMetadata {
  return { kind: 'loops', formatVersion: 1, preset: 'tiny', step, createdAt: 't0', updatedAt: `t${step}`, config: { lr: 1e-3 }, dataset: { count: 3 }, metrics: {} };
}

describe('checkpoints: model folder', () => {
  const tmp = useTempDir();
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('round-trips generator weights, spec, metadata and training state in the tfjs format', async () => {
    const dir = path.join(tmp(), 'm');
    const weights = { 'g/dense/kernel': tf.randomNormal([5, 7]), 'g/dense/bias': tf.tensor1d([1, 2, 3], 'int32') };
    const training = { weights: { 'd/w': tf.randomUniform([3, 3]), 'opt/step': tf.scalar(12) }, state: { step: 12, rng: [1, 2, 3] } };
    const before = tf.memory().numTensors;
    await saveModelFolder(dir, { spec: { shape: [5, 7] }, metadata: metadata(12), weights, training });
    assert.equal(tf.memory().numTensors, before, 'saving leaks no tensors');

    const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    assert.equal(manifest.weightsManifest[0].paths[0], 'weights.bin');
    const loaded = await loadModelFolder(dir, { training: true });
    assert.deepEqual(loaded.spec, { shape: [5, 7] });
    assert.equal(loaded.metadata.step, 12);
    assert.deepEqual(await loaded.weights['g/dense/kernel']!.data(), await weights['g/dense/kernel'].data());
    assert.equal(loaded.weights['g/dense/bias']!.dtype, 'int32');
    assert.deepEqual(await loaded.training!.weights['d/w']!.data(), await training.weights['d/w'].data());
    assert.deepEqual(loaded.training!.state, { step: 12, rng: [1, 2, 3] });
    tf.dispose([weights, training.weights, loaded.weights, loaded.training!.weights]);
  });

  it('carries kept files over, lets new files override them, and refuses paths that leave the folder', async () => {
    const dir = path.join(tmp(), 'm');
    const w = { a: tf.zeros([2]) };
    await saveModelFolder(dir, { spec: {}, metadata: metadata(1), weights: w, files: { 'previews/1.txt': 'one', 'losses.jsonl': 'a\n' } });
    await saveModelFolder(dir, { spec: {}, metadata: metadata(2), weights: w, keep: ['previews', 'losses.jsonl'], files: { 'previews/2.txt': 'two', 'losses.jsonl': 'a\nb\n' } });
    assert.equal(readFileSync(path.join(dir, 'previews/1.txt'), 'utf8'), 'one');
    assert.equal(readFileSync(path.join(dir, 'previews/2.txt'), 'utf8'), 'two');
    assert.equal(readFileSync(path.join(dir, 'losses.jsonl'), 'utf8'), 'a\nb\n');
    await assert.rejects(
      saveModelFolder(dir, { spec: {}, metadata: metadata(3), weights: w, files: { '../escape.txt': 'x' } }),
      /not a relative path inside the model folder/,
    );
    assert.equal(existsSync(path.join(tmp(), 'escape.txt')), false);
    assert.equal((await readModelSummary(dir)).metadata.step, 2, 'a failed save leaves the previous folder');
    tf.dispose(w);
  });

  it('rejects truncated weights and folders without a model', async () => {
    const dir = path.join(tmp(), 'm');
    const w = { a: tf.zeros([100]) };
    await saveModelFolder(dir, { spec: {}, metadata: metadata(1), weights: w });
    tf.dispose(w);
    await assert.rejects(loadModelFolder(dir, { training: true }), /has no training state/);
    writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(10));
    await assert.rejects(loadModelFolder(dir), /weights are 10 bytes, the manifest describes 400/);
    mkdirSync(path.join(tmp(), 'empty'));
    await assert.rejects(loadModelFolder(path.join(tmp(), 'empty')), /not a model folder/);
  });

  it('recovers a swap interrupted between its two renames', async () => {
    const dir = path.join(tmp(), 'm');
    const w = { a: tf.ones([3]) };
    await saveModelFolder(dir, { spec: {}, metadata: metadata(5), weights: w });
    tf.dispose(w);
    // As if killed right after `rename(dir, prev)`: only the previous copy exists.
    const { renameSync } = await import('node:fs');
    renameSync(dir, path.join(tmp(), '.m.prev'));
    const readable = await loadModelFolder(dir);
    assert.equal(readable.metadata.step, 5, 'readers find the previous copy without moving it');
    tf.dispose(readable.weights);
    await recoverModelFolder(dir);
    assert.equal((await readModelSummary(dir)).metadata.step, 5);
    assert.equal(existsSync(path.join(tmp(), '.m.prev')), false);
  });

  it('survives SIGKILL at random moments while saving in a loop', async function () {
    this.timeout(60_000);
    const dir = path.join(tmp(), 'm');
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'save-loop.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 300));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const loaded = await loadModelFolder(dir, { training: true });
      const step = loaded.metadata.step;
      assert.ok(step >= 1);
      const g = await loaded.weights['g/w']!.data();
      assert.ok(g.every((v) => v === step), `generator weights belong to step ${step}`);
      assert.deepEqual(loaded.training!.state, { step });
      tf.dispose([loaded.weights, loaded.training!.weights]);
      await recoverModelFolder(dir);
    }
  });
});

describe('checkpoints: resolving --model', () => {
  const tmp = useTempDir();
  it('accepts a model id under the models folder or a folder path, and nothing else', async () => {
    const modelsDir = path.join(tmp(), 'models');
    const w = { a: tf.zeros([1]) };
    await saveModelFolder(path.join(modelsDir, 'notes-x'), { spec: {}, metadata: metadata(1), weights: w });
    tf.dispose(w);
    assert.equal(resolveModelDir('notes-x', { modelsDir }), path.join(modelsDir, 'notes-x'));
    assert.equal(resolveModelDir(path.join(modelsDir, 'notes-x'), { modelsDir }), path.join(modelsDir, 'notes-x'));
    assert.throws(() => resolveModelDir('nope', { modelsDir }), /unknown model "nope"/);
    assert.throws(() => resolveModelDir('../../etc', { modelsDir }), /not a model folder/);
  });
});
