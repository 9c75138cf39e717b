import { tf } from '../../server/ml/tf.js';
import { loadModelFolder } from '../../server/checkpoints/folder.js';

/**
 * Every weight of a model folder as plain values by name: the inference weights under their own names, the training
 * weights (critic, optimiser state) as `training:<name>`. The tensors are disposed.
 */
export async function folderWeights(dir: string): Promise<Map<string, Float32Array | Int32Array>> {
  const folder = await loadModelFolder(dir, { training: true });
  const out = new Map<string, Float32Array | Int32Array>();
  for (const [name, t] of Object.entries(folder.weights)) out.set(name, t.dataSync() as Float32Array | Int32Array);
  for (const [name, t] of Object.entries(folder.training!.weights)) out.set(`training:${name}`, t.dataSync() as Float32Array | Int32Array);
  tf.dispose([folder.weights, folder.training!.weights]);
  return out;
}
