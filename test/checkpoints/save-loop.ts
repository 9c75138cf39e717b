// Child process for the kill -9 test: saves a model folder over and over, each with a distinct step.
import { tf } from '../../server/ml/tf.js';
import { saveModelFolder } from '../../server/checkpoints/folder.js';

const dir = process.argv[2]!;
await tf.setBackend('cpu');
for (let step = 1; ; step++) {
  const weights = { 'g/w': tf.fill([64, 64], step), 'g/b': tf.fill([64], step) };
  await saveModelFolder(dir, {
    spec: { size: 64 },
    metadata: { kind: 'notes', formatVersion: 1, preset: 'tiny', step, createdAt: '', updatedAt: String(step), config: {}, dataset: {}, metrics: {} },
    weights,
    training: { weights: { 'd/w': tf.fill([128, 64], step) }, state: { step } },
    files: { 'losses.jsonl': `{"step":${step}}\n` },
  });
  tf.dispose(weights);
  if (step === 1) process.stdout.write('saved\n');
}
