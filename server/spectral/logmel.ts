// A plain log-mel spectrogram: the feature for evaluation (NDB/k clustering, Frechet distance), not for synthesis.
import { linearRowToMel, melFilterbank } from './mel.js';
import { stft } from './stft.js';

export interface LogMelOptions {
  nFft?: number;
  hop?: number;
  melBins?: number;
  fMinHz?: number;
  /** Default sampleRate / 2. */
  fMaxHz?: number;
  /** Frames; default floor(length / hop) + 1. */
  frames?: number;
  /** Added to the band power before the log, so silence is finite (default 1e-6). */
  floorPower?: number;
}

export const logMelDefaults = { nFft: 1024, hop: 256, melBins: 64, fMinHz: 0, floorPower: 1e-6 };

export interface LogMelSpectrogram {
  frames: number;
  melBins: number;
  /** ln(mean band power + floorPower), laid out [frame][melBin]. */
  data: Float32Array;
}

export function logMelSpectrogram(samples: Float32Array, sampleRate: number, options: LogMelOptions = {}): LogMelSpectrogram {
  const { nFft, hop, melBins, fMinHz, floorPower } = { ...logMelDefaults, ...options };
  const fMaxHz = options.fMaxHz ?? sampleRate / 2;
  const spec = stft(samples, { nFft, hop, frames: options.frames });
  const bank = melFilterbank({ sampleRate, nFft, melBins, linearBins: nFft / 2, fMinHz, fMaxHz });
  const data = new Float32Array(spec.frames * melBins);
  const power = new Float64Array(nFft / 2);
  const bands = new Float64Array(melBins);
  for (let t = 0; t < spec.frames; t++) {
    const row = t * spec.bins;
    for (let k = 0; k < power.length; k++) {
      const re = spec.re[row + k]!;
      const im = spec.im[row + k]!;
      power[k] = re * re + im * im;
    }
    linearRowToMel(bank, power, bands);
    for (let m = 0; m < melBins; m++) data[t * melBins + m] = Math.log(bands[m]! + floorPower);
  }
  return { frames: spec.frames, melBins, data };
}
