import { tf } from '../../tf.js';

/**
 * leakyRelu's gradient is where(x > 0, dy, alpha * dy); differentiating it again (WGAN-GP) walks back through the
 * comparison, which is piecewise constant: zero gradient almost everywhere.
 */
export const greaterGradient: tf.GradConfig = {
  kernelName: tf.Greater,
  inputsToSave: ['a', 'b'],
  gradFunc: (_dy, saved) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    return { a: () => tf.zerosLike(a).toFloat(), b: () => tf.zerosLike(b).toFloat() };
  },
};
