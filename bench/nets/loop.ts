/**
 * The reference multitrack piano-roll GAN (MuseGAN-like) of shared/bench/README.md, NDHWC:
 * [batch, bars 4, steps 48, pitches 84, tracks 5]. G 1,339,301 and D 651,297 parameters, as
 * torch_reference.py's LoopG / LoopD (PyTorch's explicit paddings equal 'same' for every layer here).
 */
import { tf } from '../../server/ml/tf.js';
import type { ParamStore } from '../../server/ml/params.js';
import type { Rng } from '../../server/ml/random.js';
import { conv3d, conv3dTranspose, dense, leakyRelu } from '../../server/ml/layers/index.js';
import { NET_VARIANT_DEFAULTS, type NetVariant, type ReferenceGan } from './types.js';

type Triple = [number, number, number];
const LATENT = 128;
const BARS = 4;
const STEPS = 48;
const PITCHES = 84;
const TRACKS = 5;
const G_LAYERS: { filters: number; kernelSize: Triple; strides: Triple }[] = [
  { filters: 64, kernelSize: [4, 4, 4], strides: [2, 2, 2] }, // -> [4, 6, 14]
  { filters: 32, kernelSize: [3, 4, 4], strides: [1, 2, 2] }, // -> [4, 12, 28]
  { filters: 16, kernelSize: [3, 4, 3], strides: [1, 2, 3] }, // -> [4, 24, 84]
  { filters: 8, kernelSize: [3, 4, 3], strides: [1, 2, 1] }, // -> [4, 48, 84]
];
const D_LAYERS: { filters: number; kernelSize: Triple; strides: Triple }[] = [
  { filters: 16, kernelSize: [3, 4, 3], strides: [1, 2, 1] }, // -> [4, 24, 84]
  { filters: 32, kernelSize: [3, 4, 3], strides: [1, 2, 3] }, // -> [4, 12, 28]
  { filters: 64, kernelSize: [3, 4, 4], strides: [1, 2, 2] }, // -> [4, 6, 14]
  { filters: 128, kernelSize: [4, 4, 4], strides: [2, 2, 2] }, // -> [2, 3, 7]
];

export const loopGan: ReferenceGan = {
  name: 'loop',
  latentSize: LATENT,
  classCount: 0,
  sampleShape: [BARS, STEPS, PITCHES, TRACKS],

  // [b, 128] -> [b, 4, 48, 84, 5] in (0, 1)
  generate(p: ParamStore, z: tf.Tensor2D, _labels: tf.Tensor1D | null, variant: Partial<NetVariant> = {}): tf.Tensor5D {
    const v = { ...NET_VARIANT_DEFAULTS, ...variant };
    const batch = z.shape[0];
    let h = tf.reshape(leakyRelu(dense(p, 'g/fc', z, { units: 2 * 3 * 7 * 128 })), [batch, 2, 3, 7, 128]) as tf.Tensor5D;
    G_LAYERS.forEach((layer, i) => {
      h = leakyRelu(conv3dTranspose(p, `g/up${i}`, h, { ...layer, implementation: v.conv3d }));
    });
    return tf.sigmoid(conv3d(p, 'g/out', h, { filters: TRACKS, kernelSize: 1, implementation: v.conv3d }));
  },

  // [b, 4, 48, 84, 5] -> adversarial [b, 1]
  discriminate(p: ParamStore, x: tf.Tensor, variant: Partial<NetVariant> = {}) {
    const v = { ...NET_VARIANT_DEFAULTS, ...variant };
    let h = leakyRelu(conv3d(p, 'd/in', x as tf.Tensor5D, { filters: 8, kernelSize: 1, implementation: v.conv3d }));
    D_LAYERS.forEach((layer, i) => {
      h = leakyRelu(conv3d(p, `d/conv${i}`, h, { ...layer, implementation: v.conv3d }));
    }); // [b, 2, 3, 7, 128]
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D; // [b, 5376]
    return { adversarial: dense(p, 'd/adv', flat, { units: 1 }), classes: null };
  },

  realBatch(rng: Rng, batch: number): tf.Tensor5D {
    const size = batch * BARS * STEPS * PITCHES * TRACKS;
    const roll = new Float32Array(size);
    for (let i = 0; i < size; i++) roll[i] = rng.uniform() > 0.95 ? 1 : 0;
    return tf.tensor5d(roll, [batch, BARS, STEPS, PITCHES, TRACKS]);
  },
};
