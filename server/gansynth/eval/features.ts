/**
 * Features of a note for the quality figures, all from a plain log-mel spectrogram of the audio (64 bands,
 * 1024-point FFT, hop 256 at 16 kHz), so real and generated notes are measured the same way whatever their source.
 * - bins (NDB/k): the log-mel image averaged over 2x2 cells (frames x bands / 4 values), as in GANSynth's NDB on
 *   spectrograms, coarsened so k-means over thousands of notes runs in seconds.
 * - summary (Frechet distance): averages over an 8 x 16 grid of time segments and mel bands (128 values). There is no
 *   pretrained pitch classifier here to embed notes as GANSynth's FID did, so the Gaussian is fitted to these
 *   summaries: they capture spectral envelope and its evolution, which is what timbre differences move.
 * Each note is first scaled to peak 1: the model sets level from velocity after generation, so level is not
 * something it can get right or wrong.
 */
import { logMelSpectrogram } from '../../spectral/logmel.js';

export interface NoteFeatures {
  bins: Float32Array;
  summary: Float32Array;
}

export const featureDefaults = { nFft: 1024, hop: 256, melBins: 64, summaryTime: 8, summaryMel: 16 };

export function noteFeatures(audio: Float32Array, sampleRate: number): NoteFeatures {
  const { nFft, hop, melBins, summaryTime, summaryMel } = featureDefaults;
  const spec = logMelSpectrogram(peakNormalized(audio), sampleRate, { nFft, hop, melBins });
  return { bins: pool(spec.data, spec.frames, melBins, 2, 2), summary: poolToGrid(spec.data, spec.frames, melBins, summaryTime, summaryMel) };
}

/** Means over fh x fw cells of a [rows][cols] image (trailing partial cells dropped). */
function pool(data: Float32Array, rows: number, cols: number, fh: number, fw: number): Float32Array {
  const outRows = Math.floor(rows / fh);
  const outCols = Math.floor(cols / fw);
  const out = new Float32Array(outRows * outCols);
  for (let r = 0; r < outRows * fh; r++) {
    for (let c = 0; c < outCols * fw; c++) out[Math.floor(r / fh) * outCols + Math.floor(c / fw)]! += data[r * cols + c]!;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / (fh * fw);
  return out;
}

/** Means over an outRows x outCols grid of (nearly) equal cells. */
function poolToGrid(data: Float32Array, rows: number, cols: number, outRows: number, outCols: number): Float32Array {
  const out = new Float32Array(outRows * outCols);
  const counts = new Float32Array(outRows * outCols);
  for (let r = 0; r < rows; r++) {
    const gr = Math.min(outRows - 1, Math.floor((r * outRows) / rows));
    for (let c = 0; c < cols; c++) {
      const cell = gr * outCols + Math.min(outCols - 1, Math.floor((c * outCols) / cols));
      out[cell]! += data[r * cols + c]!;
      counts[cell]!++;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = counts[i]! > 0 ? out[i]! / counts[i]! : 0;
  return out;
}

function peakNormalized(audio: Float32Array): Float32Array {
  let peak = 0;
  for (let i = 0; i < audio.length; i++) peak = Math.max(peak, Math.abs(audio[i]!));
  if (peak === 0) return audio;
  const out = new Float32Array(audio.length);
  for (let i = 0; i < audio.length; i++) out[i] = audio[i]! / peak;
  return out;
}
