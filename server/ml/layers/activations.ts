import { tf } from '../tf.js';

export const LEAKY_RELU_SLOPE = 0.2;

/** max(x, slope*x), any shape. */
export function leakyRelu<T extends tf.Tensor>(x: T, slope = LEAKY_RELU_SLOPE): T {
  return tf.leakyRelu(x, slope);
}
