import { tf } from '../../server/ml/tf.js';
import { saveModelFolder, type ModelKind } from '../../server/checkpoints/folder.js';

/** A real model folder with tiny weights, as saveModelFolder writes it (enough for the registry, not for inference). */
export async function writeModelFolder(dir: string, kind: ModelKind, step: number, spec: Record<string, unknown> = {}): Promise<void> {
  const weights = { 'g/w': tf.ones([2, 3]) };
  await saveModelFolder(dir, {
    spec: { kind, ...spec },
    metadata: { kind, formatVersion: 1, preset: 'tiny', step, createdAt: 't0', updatedAt: `t${step}`, config: {}, dataset: {}, metrics: { score: step / 10 } },
    weights,
  });
  tf.dispose(weights);
}
