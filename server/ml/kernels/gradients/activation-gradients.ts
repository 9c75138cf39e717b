import { tf } from '../../tf.js';

/**
 * Replaces tfjs' leakyRelu gradient, where(x > 0, dy, alpha * dy): `where` broadcasts (copies) all three operands,
 * and Greater/Select/Cast are slow generic loops on wasm (about a sixth of a WGAN-GP note-GAN iteration). Here
 * dx = dy * step(x, alpha), with step(x, alpha) = x > 0 ? 1 : alpha: two fast element-wise kernels, and the
 * second-order gradient (Step's gradient is zero) needs no comparison at all.
 */
export const leakyReluGradient: tf.GradConfig = {
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    return { x: () => tf.mul(dy as tf.Tensor, tf.step(x, alpha)) };
  },
};
