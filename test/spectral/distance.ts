// Spectral distances between two signals, for round-trip tests: measured on one fixed STFT (1024 / 256, Hann),
// independent of the representation under test.
import { stft } from '../../server/spectral/stft.js';

function magnitudes(x: Float32Array): { mag: Float64Array; bins: number } {
  const s = stft(x, { nFft: 1024, hop: 256 });
  const mag = new Float64Array(s.re.length);
  for (let i = 0; i < mag.length; i++) mag[i] = Math.hypot(s.re[i]!, s.im[i]!);
  return { mag, bins: s.bins };
}

/** Spectral convergence: || |X| - |Y| ||_F / || |X| ||_F (0 = identical magnitudes). */
export function spectralConvergence(reference: Float32Array, other: Float32Array): number {
  const a = magnitudes(reference).mag;
  const b = magnitudes(other).mag;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += a[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** Log-spectral distance, dB: per frame the RMS of the dB difference, averaged; powers floored 80 dB below the peak. */
export function logSpectralDistance(reference: Float32Array, other: Float32Array): number {
  const { mag: a, bins } = magnitudes(reference);
  const b = magnitudes(other).mag;
  let peak = 0;
  for (const v of a) peak = Math.max(peak, v);
  const floor = (peak * 1e-4) ** 2;
  const frames = a.length / bins;
  let total = 0;
  for (let t = 0; t < frames; t++) {
    let s = 0;
    for (let k = 0; k < bins; k++) {
      const d = 10 * Math.log10((a[t * bins + k]! ** 2 + floor) / (b[t * bins + k]! ** 2 + floor));
      s += d * d;
    }
    total += Math.sqrt(s / bins);
  }
  return total / frames;
}
