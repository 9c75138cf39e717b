/**
 * Checks raw bytes before any MIDI parser sees them: size limits, gzip (`.mid.gz`), RIFF-wrapped MIDI (`.rmi`),
 * and the Standard MIDI File chunk structure. Every problem becomes a StudioError that names the file.
 */
import { gunzipSync } from 'node:zlib';
import { StudioError } from '../util/errors.js';

export interface MidiBytesOptions {
  /** Largest file accepted, compressed or not (a long song is well under 1 MB). */
  maxBytes: number;
}

export const defaultMidiBytesOptions: MidiBytesOptions = {
  maxBytes: 16 * 1024 * 1024,
};

/** What the header chunk says. */
export interface SmfHeader {
  format: number;
  trackCount: number;
  ticksPerQuarter: number;
}

const MTHD = [0x4d, 0x54, 0x68, 0x64];
const MTRK = [0x4d, 0x54, 0x72, 0x6b];

function startsWith(bytes: Uint8Array, magic: number[], at = 0): boolean {
  return magic.every((b, i) => bytes[at + i] === b);
}

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 9 || b === 10 || b === 13) continue;
    if (b < 32 || b === 127) return false;
  }
  return true;
}

function describeStart(bytes: Uint8Array): string {
  if (looksLikeText(bytes)) return 'it looks like a text file';
  const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with bytes ${hex}`;
}

/**
 * Returns the Standard MIDI File bytes inside `bytes` (un-gzipped and un-RIFFed as needed) after checking its
 * chunk structure, or throws BAD_FILE / TOO_LARGE naming `name`.
 */
export function decodeMidiBytes(bytes: Uint8Array, name: string, options: Partial<MidiBytesOptions> = {}): Uint8Array {
  const { maxBytes } = { ...defaultMidiBytesOptions, ...options };
  if (bytes.length === 0) throw new StudioError('BAD_FILE', `${name}: the file is empty`);
  if (bytes.length > maxBytes) {
    throw new StudioError('TOO_LARGE', `${name}: ${megabytes(bytes.length)} is larger than the ${megabytes(maxBytes)} limit for a MIDI file`);
  }
  let smf = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      smf = new Uint8Array(gunzipSync(bytes, { maxOutputLength: maxBytes }));
    } catch (err) {
      if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new StudioError('TOO_LARGE', `${name}: unzips to more than the ${megabytes(maxBytes)} limit for a MIDI file`);
      }
      throw new StudioError('BAD_FILE', `${name}: is gzip-compressed but cannot be unzipped (${(err as Error).message})`);
    }
    if (smf.length === 0) throw new StudioError('BAD_FILE', `${name}: unzips to an empty file`);
  }
  // RIFF MIDI (.rmi): RIFF <size> RMID data <size> <SMF>.
  if (startsWith(smf, [0x52, 0x49, 0x46, 0x46]) && startsWith(smf, [0x52, 0x4d, 0x49, 0x44], 8)) {
    const at = smf.indexOf(0x4d, 12);
    if (at >= 0 && at < 64 && startsWith(smf, MTHD, at)) smf = smf.subarray(at);
  }
  if (!startsWith(smf, MTHD)) {
    throw new StudioError('BAD_FILE', `${name}: is not a MIDI file (no MThd header; ${describeStart(smf)})`);
  }
  readSmfHeader(smf, name);
  checkChunks(smf, name);
  return smf;
}

/** Parses and checks the MThd chunk. */
export function readSmfHeader(smf: Uint8Array, name: string): SmfHeader {
  if (smf.length < 14) throw new StudioError('BAD_FILE', `${name}: is truncated inside the MIDI header (${smf.length} bytes)`);
  const view = new DataView(smf.buffer, smf.byteOffset, smf.byteLength);
  const headerLength = view.getUint32(4);
  if (headerLength < 6) throw new StudioError('BAD_FILE', `${name}: has a MIDI header of ${headerLength} bytes (needs 6)`);
  const format = view.getUint16(8);
  const trackCount = view.getUint16(10);
  const division = view.getUint16(12);
  if (format > 2) throw new StudioError('BAD_FILE', `${name}: has unknown MIDI format ${format}`);
  if (trackCount === 0) throw new StudioError('BAD_FILE', `${name}: has zero tracks`);
  if (division & 0x8000) throw new StudioError('BAD_FILE', `${name}: uses SMPTE time division, which is not supported (only ticks per quarter note)`);
  if (division === 0) throw new StudioError('BAD_FILE', `${name}: has 0 ticks per quarter note`);
  return { format, trackCount, ticksPerQuarter: division };
}

/** Walks the chunk list: every chunk must fit in the file, and there must be as many MTrk chunks as announced. */
function checkChunks(smf: Uint8Array, name: string): void {
  const view = new DataView(smf.buffer, smf.byteOffset, smf.byteLength);
  const announced = view.getUint16(10);
  let offset = 8 + view.getUint32(4);
  let tracks = 0;
  while (offset + 8 <= smf.length && tracks < announced) {
    const length = view.getUint32(offset + 4);
    const isTrack = startsWith(smf, MTRK, offset);
    if (offset + 8 + length > smf.length) {
      throw new StudioError(
        'BAD_FILE',
        `${name}: is truncated: ${isTrack ? `track ${tracks + 1}` : 'a chunk'} needs ${length} bytes but only ${smf.length - offset - 8} remain`,
      );
    }
    if (isTrack) tracks++;
    offset += 8 + length;
  }
  if (tracks < announced) {
    throw new StudioError('BAD_FILE', `${name}: is truncated: the header announces ${announced} tracks but the file holds ${tracks}`);
  }
}
