// WAV in and out. Reading validates the RIFF structure itself (so every failure names the file and the problem),
// decodes the common PCM/float layouts directly, and hands anything rarer (RIFX, RF64, A-law, mu-law, odd bit
// depths) to `wavefile`. Writing uses a direct header: ~10x faster than wavefile and byte-for-byte deterministic.
import { promises as fs } from 'node:fs';
import { StudioError, describeThrown } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { WaveFile } from './wavefile.js';

/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

export interface WavReadOptions {
  /** Files larger than this are refused before they are read (default 512 MiB: ~50 min of 16-bit stereo at 44.1 kHz). */
  maxBytes?: number;
}

export const wavReadDefaults: Required<WavReadOptions> = { maxBytes: 512 * 1024 * 1024 };

const MAX_CHANNELS = 64;
const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 768_000;
const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

interface FmtChunk {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

function bad(name: string, problem: string): StudioError {
  return new StudioError('BAD_FILE', `${name}: ${problem}`);
}

function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** Reads and decodes a WAV file. Errors are StudioErrors naming `path`. */
export async function readWav(path: string, options: WavReadOptions = {}): Promise<DecodedAudio> {
  const maxBytes = options.maxBytes ?? wavReadDefaults.maxBytes;
  let size: number;
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw bad(path, 'is not a regular file');
    size = stat.size;
  } catch (err) {
    if (err instanceof StudioError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StudioError('NOT_FOUND', `${path}: no such file`);
    throw bad(path, `cannot read (${describeThrown(err)})`);
  }
  if (size > maxBytes) {
    throw new StudioError('TOO_LARGE', `${path}: ${formatBytes(size)} is larger than the ${formatBytes(maxBytes)} limit for a WAV file`);
  }
  const bytes = await fs.readFile(path);
  return decodeWav(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, { maxBytes });
}

/** Decodes WAV bytes; `name` (a file name or label) appears in every error message. */
export function decodeWav(bytes: Uint8Array, name: string, options: WavReadOptions = {}): DecodedAudio {
  const maxBytes = options.maxBytes ?? wavReadDefaults.maxBytes;
  if (bytes.length === 0) throw bad(name, 'is empty (0 bytes)');
  if (bytes.length > maxBytes) {
    throw new StudioError('TOO_LARGE', `${name}: ${formatBytes(bytes.length)} is larger than the ${formatBytes(maxBytes)} limit for a WAV file`);
  }
  if (bytes.length < 12) throw bad(name, `is not a WAV file (only ${bytes.length} bytes, too short for a RIFF header)`);
  const container = fourCC(bytes, 0);
  if (container === 'RIFX' || container === 'RF64') return decodeWithWavefile(bytes, name);
  if (container !== 'RIFF') throw bad(name, `is not a WAV file (starts with ${JSON.stringify(printable(bytes.subarray(0, 4)))}, not "RIFF")`);
  if (fourCC(bytes, 8) !== 'WAVE') throw bad(name, `is a RIFF file but not WAVE (form type ${JSON.stringify(printable(bytes.subarray(8, 12)))})`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: FmtChunk | null = null;
  let dataStart = -1;
  let dataBytes = 0;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = fourCC(bytes, at);
    const chunkSize = view.getUint32(at + 4, true);
    const body = at + 8;
    const remaining = bytes.length - body;
    if (id === 'data') {
      // 0xFFFFFFFF marks a streamed file whose length was never filled in: take what is there.
      const declared = chunkSize === 0xffffffff ? remaining : chunkSize;
      if (declared > remaining) {
        throw bad(name, `is truncated: the data chunk declares ${declared} bytes of audio but only ${remaining} follow`);
      }
      dataStart = body;
      dataBytes = declared;
      if (fmt) break;
    } else if (id === 'fmt ') {
      if (chunkSize < 16 || chunkSize > remaining) throw bad(name, `has a damaged fmt chunk (${chunkSize} bytes declared, ${remaining} available)`);
      fmt = parseFmt(view, body, chunkSize, name);
      if (dataStart >= 0) break;
    } else if (chunkSize > remaining) {
      break; // a damaged trailing chunk after what we need does not matter; missing chunks are reported below
    }
    at = body + chunkSize + (chunkSize & 1);
  }
  if (!fmt) throw bad(name, dataStart >= 0 ? 'has no fmt chunk before its audio' : 'is truncated or damaged: no fmt chunk found');
  if (dataStart < 0) throw bad(name, 'is truncated or damaged: no data chunk found');

  const { audioFormat, channels, sampleRate, bitsPerSample } = fmt;
  const fast =
    (audioFormat === FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) ||
    (audioFormat === FORMAT_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64));
  if (!fast) return decodeWithWavefile(bytes, name);
  const frameBytes = (bitsPerSample / 8) * channels;
  if (fmt.blockAlign !== frameBytes) throw bad(name, `has an inconsistent fmt chunk (block align ${fmt.blockAlign}, expected ${frameBytes})`);
  const frames = Math.floor(dataBytes / frameBytes);
  if (frames === 0) throw bad(name, 'has no audio (0 samples)');
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  decodeFrames(view, dataStart, frames, channels, audioFormat, bitsPerSample, out);
  for (const ch of out) {
    for (let i = 0; i < ch.length; i++) if (!Number.isFinite(ch[i]!)) throw bad(name, `has a non-finite sample at frame ${i}`);
  }
  return { sampleRate, channels: out };
}

function parseFmt(view: DataView, at: number, size: number, name: string): FmtChunk {
  let audioFormat = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (audioFormat === FORMAT_EXTENSIBLE && size >= 40) audioFormat = view.getUint16(at + 24, true); // sub-format GUID
  if (channels < 1 || channels > MAX_CHANNELS) throw bad(name, `has ${channels} channels (supported: 1 to ${MAX_CHANNELS})`);
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw bad(name, `has a sample rate of ${sampleRate} Hz (supported: ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE})`);
  }
  return { audioFormat, channels, sampleRate, bitsPerSample, blockAlign };
}

function decodeFrames(
  view: DataView,
  start: number,
  frames: number,
  channels: number,
  audioFormat: number,
  bits: number,
  out: Float32Array[],
): void {
  const bytesPer = bits / 8;
  let p = start;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      let v: number;
      if (audioFormat === FORMAT_FLOAT) v = bits === 32 ? view.getFloat32(p, true) : view.getFloat64(p, true);
      else if (bits === 16) v = view.getInt16(p, true) / 32768;
      else if (bits === 24) {
        const raw = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
        v = raw / 8388608;
      } else if (bits === 32) v = view.getInt32(p, true) / 2147483648;
      else v = (view.getUint8(p) - 128) / 128; // 8-bit WAV is unsigned
      out[c]![i] = v;
      p += bytesPer;
    }
  }
}

/** The rare layouts, through wavefile; its errors become StudioErrors naming the file. */
function decodeWithWavefile(bytes: Uint8Array, name: string): DecodedAudio {
  let wav: WaveFile;
  try {
    wav = new WaveFile(bytes);
    if (wav.bitDepth === '8a') wav.fromALaw();
    else if (wav.bitDepth === '8m') wav.fromMuLaw();
  } catch (err) {
    throw bad(name, `is not a readable WAV file (${describeThrown(err)})`);
  }
  const fmt = wav.fmt as { audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number };
  if (fmt.numChannels < 1 || fmt.numChannels > MAX_CHANNELS) throw bad(name, `has ${fmt.numChannels} channels (supported: 1 to ${MAX_CHANNELS})`);
  if (fmt.sampleRate < MIN_SAMPLE_RATE || fmt.sampleRate > MAX_SAMPLE_RATE) throw bad(name, `has a sample rate of ${fmt.sampleRate} Hz`);
  const depth = wav.bitDepth;
  const isFloat = depth === '32f' || depth === '64';
  const bits = Number.parseInt(depth, 10);
  if (!isFloat && !(bits >= 2 && bits <= 32)) throw bad(name, `uses an unsupported sample encoding (bit depth "${depth}", format ${fmt.audioFormat})`);
  let raw: Float64Array | Float64Array[];
  try {
    raw = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  } catch (err) {
    throw bad(name, `has undecodable audio (${describeThrown(err)})`);
  }
  const list = Array.isArray(raw) ? raw : [raw];
  const scale = isFloat ? 1 : bits === 8 ? 128 : 2 ** (bits - 1);
  const offset = !isFloat && bits === 8 ? 128 : 0;
  const channels = list.map((ch) => Float32Array.from(ch, (v) => (v - offset) / scale));
  if (channels.length === 0 || channels[0]!.length === 0) throw bad(name, 'has no audio (0 samples)');
  return { sampleRate: fmt.sampleRate, channels };
}

/** Averages all channels into one. */
export function toMono(audio: DecodedAudio | Float32Array[]): Float32Array {
  const channels = Array.isArray(audio) ? audio : audio.channels;
  if (channels.length === 0) return new Float32Array(0);
  if (channels.length === 1) return Float32Array.from(channels[0]!);
  const length = Math.min(...channels.map((c) => c.length));
  const out = new Float32Array(length);
  const inv = 1 / channels.length;
  for (const ch of channels) for (let i = 0; i < length; i++) out[i]! += ch[i]! * inv;
  return out;
}

/** 16 and 24 are integer PCM; 32 is IEEE float. */
export type WavBitDepth = 16 | 24 | 32;

export interface WavWriteOptions {
  sampleRate: number;
  /** Default 16. */
  bitDepth?: WavBitDepth;
}

/** Encodes mono samples (or one array per channel) as a WAV file. Integer formats clip to [-1, 1]. */
export function encodeWav(samples: Float32Array | Float32Array[], options: WavWriteOptions): Uint8Array {
  const channels = Array.isArray(samples) ? samples : [samples];
  const bitDepth = options.bitDepth ?? 16;
  const { sampleRate } = options;
  if (![16, 24, 32].includes(bitDepth)) throw new StudioError('BAD_INPUT', `WAV bit depth ${bitDepth} is not supported (16, 24 or 32)`);
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new StudioError('BAD_INPUT', `WAV sample rate ${sampleRate} is not supported`);
  }
  if (channels.length < 1 || channels.length > MAX_CHANNELS) throw new StudioError('BAD_INPUT', `cannot write ${channels.length} channels`);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new StudioError('BAD_INPUT', 'all channels must have the same length');
  const isFloat = bitDepth === 32;
  const bytesPer = bitDepth / 8;
  const blockAlign = bytesPer * channels.length;
  const dataBytes = frames * blockAlign;
  // Float WAVs carry an 18-byte fmt chunk and a fact chunk, as the format requires.
  const fmtSize = isFloat ? 18 : 16;
  const factSize = isFloat ? 12 : 0;
  const headerBytes = 12 + 8 + fmtSize + factSize + 8;
  const out = new Uint8Array(headerBytes + dataBytes + (dataBytes & 1));
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, isFloat ? FORMAT_FLOAT : FORMAT_PCM, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitDepth, true);
  let at = 36;
  if (isFloat) {
    view.setUint16(at, 0, true); // cbSize
    at += 2;
    ascii(at, 'fact');
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, frames, true);
    at += 12;
  }
  ascii(at, 'data');
  view.setUint32(at + 4, dataBytes, true);
  let p = at + 8;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      const x = ch[i]!;
      if (isFloat) view.setFloat32(p, Number.isFinite(x) ? x : 0, true);
      else {
        const clipped = x > 1 ? 1 : x < -1 ? -1 : Number.isNaN(x) ? 0 : x;
        if (bitDepth === 16) view.setInt16(p, Math.min(32767, Math.round(clipped * 32768)), true);
        else {
          const v = Math.min(8388607, Math.round(clipped * 8388608));
          out[p] = v & 0xff;
          out[p + 1] = (v >> 8) & 0xff;
          out[p + 2] = (v >> 16) & 0xff;
        }
      }
      p += bytesPer;
    }
  }
  return out;
}

/** Writes a WAV atomically (temp file + rename): readers never see half a file. */
export async function writeWav(path: string, samples: Float32Array | Float32Array[], options: WavWriteOptions): Promise<void> {
  await writeFileAtomic(path, encodeWav(samples, options));
}

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
