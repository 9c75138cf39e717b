/**
 * GANSynth's generator: latent (timbre) ++ one-hot pitch (++ the latent's timbre class, timbre-classes.ts) -> dense to the start grid -> blocks of
 * [nearest 2x upsampling, 3x3 conv, leaky ReLU, pixel norm] -> 1x1 conv to 2 channels, tanh. With `pitchMaps`, each
 * block's first conv and the output conv also read the pitch's harmonic template (pitch-maps.ts); with
 * `harmonicIfLock`, a fixed last layer sets the first partials' IF to the pitch's (harmonic-if-lock.ts).
 * Parameters live in a ParamStore under `g/`.
 */
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { conv2d, dense, leakyRelu, pixelNorm, upsampleNearest2x } from '../ml/layers/index.js';
import { pitchMapsAt, pitchTemplates } from './pitch-maps.js';
import { lockHarmonicIf } from './harmonic-if-lock.js';
import { timbreCode } from './timbre-classes.js';
import { pitchCount, startShape, type NoteModelSpec } from './spec.js';

export const GENERATOR_SCOPE = 'g';

/** latents [b, latentSize], pitchOneHot [b, pitches] -> IF-Mel images [b, frames, melBins, 2] in [-1, 1]. */
export function runGenerator(p: ParamStore, spec: NoteModelSpec, latents: tf.Tensor2D, pitchOneHot: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const batch = latents.shape[0];
    const weights = { equalized: spec.equalizedLearningRate };
    const slope = spec.leakyReluSlope;
    const act = (t: tf.Tensor4D) => pixelNorm(leakyRelu(t, slope));
    const channels = spec.generator.channels;
    const [h0, w0] = startShape(spec);

    const code = timbreCode(spec, latents); // [b, classes] or null
    const input = pixelNorm(tf.concat([latents, pitchOneHot, ...(code ? [code] : [])], 1)); // [b, latent + pitches (+ classes)]
    const start = dense(p, `${GENERATOR_SCOPE}/start/dense`, input, { units: h0 * w0 * channels[0]!, ...weights });
    let x = act(tf.reshape(start, [batch, h0, w0, channels[0]!])); // [b, h0, w0, c0]
    const templates = spec.generator.pitchMaps ? pitchTemplates(spec, pitchOneHot) : null; // [b, melBins, 3]
    // [b, h, w, c] -> [b, h, w, c + 3] with the pitch maps at that size.
    const withPitchMaps = (t: tf.Tensor4D) => (templates ? (tf.concat([t, pitchMapsAt(templates, t.shape[1], t.shape[2])], 3) as tf.Tensor4D) : t);
    for (let block = 0; block < channels.length; block++) {
      if (block > 0) x = upsampleNearest2x(x); // [b, h0 2^block, w0 2^block, c_{block-1}]
      for (let conv = 0; conv < spec.generator.convsPerBlock; conv++) {
        const convInput = conv === 0 ? withPitchMaps(x) : x;
        x = act(conv2d(p, `${GENERATOR_SCOPE}/block${block}/conv${conv}`, convInput, { filters: channels[block]!, kernelSize: 3, ...weights }));
      }
    }
    // [b, frames, melBins, 2]; gain 1: no ReLU follows. With pitch maps the output layer sees the ideal tone too.
    const out = tf.tanh(conv2d(p, `${GENERATOR_SCOPE}/to_spectrogram`, withPitchMaps(x), { filters: 2, kernelSize: 1, ...weights, gain: 1 }));
    return spec.generator.harmonicIfLock ? lockHarmonicIf(spec, out, pitchOneHot) : out;
  });
}

/** One-hot rows for MIDI pitches: [pitches.length, pitchCount(spec)]. */
export function pitchOneHot(spec: NoteModelSpec, midiPitches: readonly number[]): tf.Tensor2D {
  return tf.tidy(() =>
    tf.oneHot(tf.tensor1d(midiPitches.map((p) => p - spec.midiPitchMin), 'int32'), pitchCount(spec)).toFloat() as tf.Tensor2D,
  );
}

/**
 * Runs the generator on JS-side latents, `maxBatch` notes per forward pass, and returns one IF-Mel image
 * ([frames][melBins][2], Float32Array) per note. No tensors outlive the call.
 */
export function generateImages(
  p: ParamStore,
  spec: NoteModelSpec,
  latents: Float32Array[],
  midiPitches: number[],
  maxBatch = 32,
): Float32Array[] {
  const size = spec.latentSize;
  const out: Float32Array[] = [];
  for (let start = 0; start < midiPitches.length; start += maxBatch) {
    const pitches = midiPitches.slice(start, start + maxBatch);
    const flat = new Float32Array(pitches.length * size);
    pitches.forEach((_, i) => flat.set(latents[start + i]!, i * size));
    const images = tf.tidy(() => runGenerator(p, spec, tf.tensor2d(flat, [pitches.length, size]), pitchOneHot(spec, pitches)));
    const values = images.dataSync() as Float32Array;
    images.dispose();
    const perImage = values.length / pitches.length;
    for (let i = 0; i < pitches.length; i++) out.push(values.slice(i * perImage, (i + 1) * perImage));
  }
  return out;
}
