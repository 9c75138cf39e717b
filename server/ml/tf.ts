/**
 * The single import point for TensorFlow.js. Model code imports `tf` from here, never from the
 * packages directly, so every module shares one engine whichever backend `initBackend` picked.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

silenceCpuBanner();

/** tfjs-backend-cpu prints an "install tfjs-node" banner on first use; `studio doctor` already explains backends. */
export function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

export { tf };
export type Tensor = tf.Tensor;
export type Rank = tf.Rank;
