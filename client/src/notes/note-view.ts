/**
 * Draws a note: its waveform (min/max envelope per pixel column) and its spectrogram (dB on a log-frequency axis,
 * octave lines labelled), on two canvases sized to their boxes at the screen's pixel density.
 */
import { dbAt, logFrequencyRows, spectrogram, waveformEnvelope } from '../audio/spectrogram.js';
import { rampColor } from '../audio/colormap.js';

export interface NoteDrawing {
  samples: Float32Array;
  sampleRate: number;
}

export class NoteView {
  constructor(
    readonly waveform: HTMLCanvasElement,
    readonly spectrogramCanvas: HTMLCanvasElement,
  ) {}

  /** Draws both views; returns the spectrogram's size for the page to report. */
  draw(note: NoteDrawing): { frames: number; bins: number } {
    this.drawWaveform(note);
    return this.drawSpectrogram(note);
  }

  /** Empty views with a word on what will appear there. */
  placeholder(): void {
    for (const [canvas, text] of [[this.waveform, 'Waveform'], [this.spectrogramCanvas, 'Spectrogram']] as const) {
      const ctx = fitCanvas(canvas);
      ctx.fillStyle = '#11151c';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = '#4a5160';
      ctx.font = `${Math.round(12 * devicePixelRatio)}px system-ui, sans-serif`;
      ctx.fillText(`${text}: play a note`, 12 * devicePixelRatio, 22 * devicePixelRatio);
      delete canvas.dataset.drawn;
    }
  }

  private drawWaveform({ samples, sampleRate }: NoteDrawing): void {
    const canvas = this.waveform;
    const ctx = fitCanvas(canvas);
    const { width, height } = canvas;
    ctx.fillStyle = '#11151c';
    ctx.fillRect(0, 0, width, height);
    ctx.strokeStyle = '#2a3140';
    ctx.beginPath();
    ctx.moveTo(0, height / 2);
    ctx.lineTo(width, height / 2);
    ctx.stroke();
    const { min, max } = waveformEnvelope(samples, width);
    ctx.fillStyle = '#5ad1c8';
    for (let x = 0; x < width; x++) {
      const top = ((1 - max[x]!) / 2) * height;
      const bottom = ((1 - min[x]!) / 2) * height;
      ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
    }
    // Seconds along the bottom edge.
    const seconds = samples.length / sampleRate;
    ctx.fillStyle = '#8b95a7';
    ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
    for (let s = 0.5; s < seconds; s += seconds > 3 ? 1 : 0.5) {
      const x = (s / seconds) * width;
      ctx.fillRect(x, height - 6 * devicePixelRatio, 1, 6 * devicePixelRatio);
      ctx.fillText(`${s}s`, x + 3, height - 3);
    }
    canvas.dataset.drawn = 'true';
  }

  private drawSpectrogram({ samples, sampleRate }: NoteDrawing): { frames: number; bins: number } {
    const canvas = this.spectrogramCanvas;
    const ctx = fitCanvas(canvas);
    const { width, height } = canvas;
    const spec = spectrogram(samples, sampleRate, { nFft: sampleRate > 24000 ? 2048 : 1024, hop: 256 });
    const rows = logFrequencyRows(height, spec);
    const image = ctx.createImageData(width, height);
    for (let x = 0; x < width; x++) {
      // Fractional frame: neighbouring frames are blended so a short note is not drawn as a few wide blocks.
      const position = spec.frames === 1 ? 0 : (x / Math.max(1, width - 1)) * (spec.frames - 1);
      const f0 = Math.min(spec.frames - 1, Math.floor(position));
      const f1 = Math.min(spec.frames - 1, f0 + 1);
      const blend = position - f0;
      for (let y = 0; y < height; y++) {
        const db = dbAt(spec, f0, rows[y]!) * (1 - blend) + dbAt(spec, f1, rows[y]!) * blend;
        const t = 1 + db / spec.rangeDb;
        const [r, g, b] = rampColor(t);
        const i = (y * width + x) * 4;
        image.data[i] = r;
        image.data[i + 1] = g;
        image.data[i + 2] = b;
        image.data[i + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
    // Octave lines at each C from C1 up, so a pitch can be read off the picture.
    ctx.font = `${Math.round(10 * devicePixelRatio)}px system-ui, sans-serif`;
    const binHz = sampleRate / spec.nFft;
    for (let octave = 1; octave <= 8; octave++) {
      const hz = 440 * 2 ** ((12 * (octave + 1) - 69) / 12);
      if (hz >= sampleRate / 2) break;
      const y = rowOfBin(rows, hz / binHz);
      if (y < 0) continue;
      ctx.fillStyle = 'rgba(255,255,255,0.18)';
      ctx.fillRect(0, y, width, 1);
      ctx.fillStyle = 'rgba(255,255,255,0.7)';
      ctx.fillText(`C${octave}`, 3, y - 2);
    }
    canvas.dataset.drawn = 'true';
    canvas.dataset.frames = String(spec.frames);
    canvas.dataset.bins = String(spec.bins);
    return { frames: spec.frames, bins: spec.bins };
  }
}

/** Sizes the canvas's pixel buffer to its box at the device pixel ratio; returns its 2-D context. */
export function fitCanvas(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const rect = canvas.getBoundingClientRect();
  const width = Math.max(1, Math.round((rect.width || canvas.clientWidth || 600) * devicePixelRatio));
  const height = Math.max(1, Math.round((rect.height || canvas.clientHeight || 160) * devicePixelRatio));
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  return canvas.getContext('2d')!;
}

/** The display row nearest to a fractional bin (rows run from high to low frequency), or -1 if off the chart. */
function rowOfBin(rows: Float32Array, bin: number): number {
  if (bin > rows[0]! || bin < rows[rows.length - 1]!) return -1;
  let best = 0;
  for (let y = 1; y < rows.length; y++) if (Math.abs(rows[y]! - bin) < Math.abs(rows[best]! - bin)) best = y;
  return best;
}
