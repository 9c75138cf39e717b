/**
 * The reference pitch-conditioned spectrogram GAN (GANSynth-like) of shared/bench/README.md, NHWC.
 * G 1,023,882 and D 499,782 parameters, as torch_reference.py's NoteG / NoteD.
 */
import { tf } from '../../server/ml/tf.js';
import type { ParamStore } from '../../server/ml/params.js';
import type { Rng } from '../../server/ml/random.js';
import { avgPool2x, conv2d, dense, leakyRelu, upsampleNearest2x } from '../../server/ml/layers/index.js';
import { NET_VARIANT_DEFAULTS, type NetVariant, type ReferenceGan } from './types.js';

const LATENT = 128;
const PITCHES = 61;
const G_FILTERS = [128, 64, 32, 16, 8];
const D_FILTERS = [16, 32, 64, 128, 128];
const TIME_FRAMES = 64;
const FREQ_BINS = 512;

export const noteGan: ReferenceGan = {
  name: 'note',
  latentSize: LATENT,
  classCount: PITCHES,
  sampleShape: [TIME_FRAMES, FREQ_BINS, 2],

  // [b, 128] ++ one-hot [b, 61] -> [b, 64, 512, 2] (time x freq x [log-magnitude, IF])
  generate(p: ParamStore, z: tf.Tensor2D, labels: tf.Tensor1D | null, variant: Partial<NetVariant> = {}): tf.Tensor4D {
    const v = { ...NET_VARIANT_DEFAULTS, ...variant };
    if (!labels) throw new RangeError('the note GAN is pitch-conditioned: labels are required');
    const batch = z.shape[0];
    const input = tf.concat([z, tf.oneHot(labels, PITCHES).toFloat() as tf.Tensor2D], 1); // [b, 189]
    let h = tf.reshape(leakyRelu(dense(p, 'g/fc', input, { units: 2 * 16 * 128 })), [batch, 2, 16, 128]) as tf.Tensor4D;
    G_FILTERS.forEach((filters, i) => {
      h = upsampleNearest2x(h, { method: v.resample }); // [b, 4·2^i, 32·2^i, c]
      h = leakyRelu(conv2d(p, `g/conv${i}`, h, { filters, kernelSize: 3 }));
    });
    return tf.tanh(conv2d(p, 'g/out', h, { filters: 2, kernelSize: 1 })); // [b, 64, 512, 2]
  },

  // [b, 64, 512, 2] -> adversarial [b, 1], pitch logits [b, 61]
  discriminate(p: ParamStore, x: tf.Tensor, variant: Partial<NetVariant> = {}) {
    const v = { ...NET_VARIANT_DEFAULTS, ...variant };
    let h = leakyRelu(conv2d(p, 'd/in', x as tf.Tensor4D, { filters: 8, kernelSize: 1 })); // [b, 64, 512, 8]
    D_FILTERS.forEach((filters, i) => {
      h = avgPool2x(leakyRelu(conv2d(p, `d/conv${i}`, h, { filters, kernelSize: 3 })), { method: v.resample });
    }); // [b, 2, 16, 128]
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D; // [b, 4096]
    return { adversarial: dense(p, 'd/adv', flat, { units: 1 }), classes: dense(p, 'd/pitch', flat, { units: PITCHES }) };
  },

  realBatch(rng: Rng, batch: number): tf.Tensor4D {
    return tf.tensor4d(rng.uniformArray(batch * TIME_FRAMES * FREQ_BINS * 2, -1, 1), [batch, TIME_FRAMES, FREQ_BINS, 2]);
  },
};
