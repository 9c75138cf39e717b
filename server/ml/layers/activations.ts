import { tf } from '../tf.js';

export const LEAKY_RELU_SLOPE = 0.2;

const bySlope = new Map<number, (x: tf.Tensor) => tf.Tensor>();

/**
 * max(x, slope*x), any shape. Its gradient is dy * step(x, slope): one unary kernel and a multiply, where
 * tfjs' stock gradient runs Greater, Multiply and Select (Greater against a broadcast scalar is slow on wasm).
 * The gradient is linear in dy and piecewise constant in x, so it stays right under double backprop.
 */
export function leakyRelu<T extends tf.Tensor>(x: T, slope = LEAKY_RELU_SLOPE): T {
  let op = bySlope.get(slope);
  if (!op) {
    op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
      save([input]);
      return {
        value: tf.leakyRelu(input, slope),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.step(saved[0]!, slope)),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
    bySlope.set(slope, op);
  }
  return op(x) as T;
}
