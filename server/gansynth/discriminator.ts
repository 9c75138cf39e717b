/**
 * GANSynth's discriminator (critic): 1x1 conv from the 2 IF-Mel channels, blocks of [3x3 conv, leaky ReLU] and 2x2
 * average pooling down to the start grid, then minibatch standard deviation, a last conv and a dense layer, with two
 * heads: the WGAN critic score and the AC-GAN pitch logits (and timbre class logits, when the spec has classes). Parameters live in a ParamStore under `d/`.
 */
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { avgPool2x, conv2d, dense, leakyRelu, minibatchStddev } from '../ml/layers/index.js';
import { pitchCount, timbreClassCount, type NoteModelSpec } from './spec.js';

export const DISCRIMINATOR_SCOPE = 'd';

export interface DiscriminatorOutput {
  /** WGAN critic scores [b, 1]. */
  critic: tf.Tensor2D;
  /** Pitch class logits [b, pitches] (class i = MIDI midiPitchMin + i). */
  pitchLogits: tf.Tensor2D;
  /** Timbre class logits [b, classes], when the spec has timbre classes (timbre-classes.ts). */
  timbreLogits?: tf.Tensor2D;
}

/** images [b, frames, melBins, 2] -> critic scores and pitch logits. */
export function runDiscriminator(p: ParamStore, spec: NoteModelSpec, images: tf.Tensor4D): DiscriminatorOutput {
  return tf.tidy(() => {
    const weights = { equalized: spec.equalizedLearningRate };
    const slope = spec.leakyReluSlope;
    const channels = spec.discriminator.channels;
    const s = DISCRIMINATOR_SCOPE;
    let x = leakyRelu(conv2d(p, `${s}/from_spectrogram`, images, { filters: channels[0]!, kernelSize: 1, ...weights }), slope);
    for (let block = 0; block < channels.length - 1; block++) {
      for (let conv = 0; conv < spec.discriminator.convsPerBlock; conv++) {
        const last = conv === spec.discriminator.convsPerBlock - 1;
        const filters = last ? channels[block + 1]! : channels[block]!;
        x = leakyRelu(conv2d(p, `${s}/block${block}/conv${conv}`, x, { filters, kernelSize: 3, ...weights }), slope);
      }
      x = avgPool2x(x); // [b, h/2, w/2, c_{block+1}]
    }
    const top = channels[channels.length - 1]!;
    x = minibatchStddev(x, { groupSize: spec.discriminator.minibatchStddevGroup }); // [b, h0, w0, c + 1]
    x = leakyRelu(conv2d(p, `${s}/final/conv`, x, { filters: top, kernelSize: 3, ...weights }), slope);
    const flat = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D; // [b, h0 w0 c]
    const features = leakyRelu(dense(p, `${s}/final/dense`, flat, { units: top, ...weights }), slope);
    return {
      critic: dense(p, `${s}/critic`, features, { units: 1, ...weights, gain: 1 }),
      pitchLogits: dense(p, `${s}/pitch`, features, { units: pitchCount(spec), ...weights, gain: 1 }),
      ...(spec.timbreClasses ? { timbreLogits: dense(p, `${s}/timbre`, features, { units: timbreClassCount(spec), ...weights, gain: 1 }) } : {}),
    };
  });
}
