/**
 * The generator's pitch maps: for each requested pitch, the IF-Mel of an ideal harmonic tone at that pitch
 * (server/spectral/harmonic-template.ts), laid over the time axis and averaged down to each block's width. They
 * tell the convolutions where the partials go and how fast their phases turn, which a one-hot pitch does not.
 */
import { tf } from '../ml/tf.js';
import { HARMONIC_TEMPLATE_CHANNELS, harmonicTemplates } from '../spectral/harmonic-template.js';
import { imageShape, pitchCount, type NoteModelSpec } from './spec.js';

/** Channels a pitch map adds to a layer's input. */
export const PITCH_MAP_CHANNELS = HARMONIC_TEMPLATE_CHANNELS;

/** pitchOneHot [b, pitches] -> templates [b, melBins, 3] (a constant product: no parameters). */
export function pitchTemplates(spec: NoteModelSpec, pitchOneHot: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const melBins = imageShape(spec)[1];
    const table = harmonicTemplates(spec.spectral, spec.midiPitchMin, spec.midiPitchMax);
    const templates = tf.tensor2d(table, [pitchCount(spec), melBins * PITCH_MAP_CHANNELS]);
    return tf.reshape(tf.matMul(pitchOneHot, templates), [pitchOneHot.shape[0], melBins, PITCH_MAP_CHANNELS]) as tf.Tensor3D;
  });
}

/** templates [b, melBins, 3] -> maps [b, height, width, 3]: bands averaged in groups of melBins / width, repeated over time. */
export function pitchMapsAt(templates: tf.Tensor3D, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, melBins, channels] = templates.shape;
    const group = melBins / width;
    // [b * width, group, 3] -> mean over the group (rank 3 keeps wasm on its fast paths).
    const pooled = group === 1 ? templates : tf.mean(tf.reshape(templates, [batch * width, group, channels]), 1);
    const row = tf.reshape(pooled, [batch, 1, width, channels]);
    // Repeated over time by a broadcast product with ones: exact, and wasm's Tile is a generic loop (2.3 ms for a
    // [2, 64, 128, 3] map against 0.1 ms, a third of a lite note's forward pass).
    return (height === 1 ? row : tf.mul(row, tf.ones([1, height, 1, 1]))) as tf.Tensor4D;
  });
}
