/** Tensors that carry no gradient (tfjs has no stopGradient). */
import { tf } from './tf.js';

/**
 * A copy of `values` that no gradient flows through (it is rebuilt from its numbers, so a loss's path never runs
 * through the comparison that made it, which has no gradient); `values` is disposed.
 */
export function constantOf<T extends tf.Tensor>(values: T): T {
  const copy = tf.tensor(values.dataSync(), values.shape, values.dtype) as T;
  values.dispose();
  return copy;
}
