/**
 * WAV bytes to float samples, in the page: the notes the server sends (16/24-bit PCM or 32-bit float, any rate)
 * are drawn and played from these samples, so what is seen and what is heard are the same numbers.
 * Pure: no Web Audio here.
 */

export interface DecodedWav {
  sampleRate: number;
  /** One array per channel, values in [-1, 1]. */
  channels: Float32Array[];
  frames: number;
  bitDepth: number;
  isFloat: boolean;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

export class WavDecodeError extends Error {
  override name = 'WavDecodeError';
}

export function decodeWav(bytes: Uint8Array, label = 'WAV'): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    throw new WavDecodeError(`${label}: not a RIFF/WAVE file (${bytes.byteLength} bytes)`);
  }
  let format: { code: number; channels: number; sampleRate: number; bitDepth: number } | null = null;
  let data: { offset: number; length: number } | null = null;
  for (let offset = 12; offset + 8 <= bytes.byteLength; ) {
    const id = fourCC(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.byteLength) throw new WavDecodeError(`${label}: fmt chunk is cut short`);
      let code = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
      if (code === FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= bytes.byteLength) code = view.getUint16(body + 24, true);
      format = { code, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bitDepth: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      // A streamed file may claim more than it has: take what is there.
      data = { offset: body, length: Math.min(size, bytes.byteLength - body) };
    }
    offset = body + size + (size % 2); // chunks are word-aligned
  }
  if (!format) throw new WavDecodeError(`${label}: no fmt chunk`);
  if (!data) throw new WavDecodeError(`${label}: no data chunk`);
  const { code, channels, sampleRate, bitDepth } = format;
  const isFloat = code === FORMAT_FLOAT;
  if (code !== FORMAT_PCM && !isFloat) throw new WavDecodeError(`${label}: format ${code} is not PCM or float`);
  if (channels < 1 || channels > 32) throw new WavDecodeError(`${label}: ${channels} channels`);
  if (sampleRate < 1) throw new WavDecodeError(`${label}: sample rate ${sampleRate}`);
  const supported = isFloat ? [32, 64] : [8, 16, 24, 32];
  if (!supported.includes(bitDepth)) throw new WavDecodeError(`${label}: ${bitDepth}-bit ${isFloat ? 'float' : 'PCM'} is not supported`);

  const bytesPerSample = bitDepth / 8;
  const frames = Math.floor(data.length / (bytesPerSample * channels));
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const read = sampleReader(view, bitDepth, isFloat);
  for (let frame = 0, p = data.offset; frame < frames; frame++) {
    for (let c = 0; c < channels; c++, p += bytesPerSample) out[c]![frame] = read(p);
  }
  return { sampleRate, channels: out, frames, bitDepth, isFloat };
}

/** The channels averaged into one (a note is mono already; this keeps stereo files drawable). */
export function monoMix(wav: DecodedWav): Float32Array {
  if (wav.channels.length === 1) return wav.channels[0]!;
  const out = new Float32Array(wav.frames);
  for (const channel of wav.channels) for (let i = 0; i < wav.frames; i++) out[i]! += channel[i]! / wav.channels.length;
  return out;
}

function sampleReader(view: DataView, bitDepth: number, isFloat: boolean): (offset: number) => number {
  if (isFloat) return bitDepth === 32 ? (p) => view.getFloat32(p, true) : (p) => view.getFloat64(p, true);
  switch (bitDepth) {
    case 8:
      return (p) => (view.getUint8(p) - 128) / 128;
    case 16:
      return (p) => view.getInt16(p, true) / 32768;
    case 24:
      return (p) => {
        const value = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
        return value / 8388608;
      };
    default:
      return (p) => view.getInt32(p, true) / 2147483648;
  }
}

function fourCC(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}
