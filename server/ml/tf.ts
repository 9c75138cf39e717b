/**
 * The single import point for TensorFlow.js. Model code imports `tf` from here, never from the
 * packages directly, so every module shares one engine whichever backend `initBackend` picked.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export { tf };
export type Tensor = tf.Tensor;
export type Rank = tf.Rank;
