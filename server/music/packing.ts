/**
 * Bit-packing of 0/1 roll cells: 8 cells per byte, most significant bit first (numpy.packbits order), so a
 * 4 x 48 x 84 x 5 roll takes 10,080 bytes instead of 80,640.
 */
import { StudioError } from '../util/errors.js';

export function packedByteLength(cellCount: number): number {
  return Math.ceil(cellCount / 8);
}

/** Packs cells (any non-zero = 1) into bits. */
export function packBits(cells: Uint8Array, out = new Uint8Array(packedByteLength(cells.length))): Uint8Array {
  if (out.length < packedByteLength(cells.length)) throw new StudioError('BAD_INPUT', `pack target has ${out.length} bytes, needs ${packedByteLength(cells.length)}`);
  out.fill(0, 0, packedByteLength(cells.length));
  for (let i = 0; i < cells.length; i++) {
    if (cells[i]) out[i >> 3]! |= 0x80 >> (i & 7);
  }
  return out;
}

/** Unpacks `cellCount` cells (0/1) from bits. */
export function unpackBits(bytes: Uint8Array, cellCount: number, out = new Uint8Array(cellCount)): Uint8Array {
  if (bytes.length < packedByteLength(cellCount)) {
    throw new StudioError('BAD_INPUT', `packed data has ${bytes.length} bytes, ${cellCount} cells need ${packedByteLength(cellCount)}`);
  }
  for (let i = 0; i < cellCount; i++) out[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return out;
}
