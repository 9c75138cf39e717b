/**
 * A Tone.Sampler over rendered notes (a built instrument): one sample per pitch, the velocity layer nearest to a
 * firm touch when there are several (Tone.Sampler has no velocity layers; velocity then scales the level).
 */
import * as Tone from 'tone';
import type { DecodedWav } from './wav-decode.js';
import { pickLayers } from './instrument-package.js';

export interface SamplerSample {
  midiPitch: number;
  velocity: number;
  wav: DecodedWav;
}

export async function buildSampler(samples: SamplerSample[], toBuffer: (wav: DecodedWav) => Tone.ToneAudioBuffer, output: Tone.InputNode): Promise<Tone.Sampler> {
  const layers = pickLayers(samples);
  if (layers.length === 0) throw new Error('the instrument has no samples');
  const urls: Record<string, Tone.ToneAudioBuffer> = {};
  for (const layer of layers) urls[Tone.Frequency(layer.midiPitch, 'midi').toNote()] = toBuffer(layer.wav);
  const sampler = new Tone.Sampler({ urls, release: 0.3 }).connect(output);
  await Tone.loaded();
  return sampler;
}
