/**
 * Training phrases held bit-packed on a SharedArrayBuffer (10 KB a phrase instead of 80 KB), so data-parallel
 * worker threads share one copy; each phrase is unpacked when a batch needs it.
 */
import { createHash } from 'node:crypto';
import { readLoopDataset } from '../data/loops/loop-dataset.js';
import { packedByteLength, unpackBits } from '../music/packing.js';
import { StudioError } from '../util/errors.js';
import type { PhraseSource } from './batches.js';
import { loopShape, type LoopSpec } from './spec.js';

/** Structured-clonable: what a replica needs to read the phrases. */
export interface PackedPhrases {
  count: number;
  cellsPerPhrase: number;
  bytesPerPhrase: number;
  bytes: Uint8Array;
}

export interface LoopDataSummary {
  dir: string;
  count: number;
  shape: { bars: number; stepsPerBar: number; pitchCount: number; tracks: number; lowestPitch: number };
  /** SHA-256 of the packed phrases: a resumed run checks it trained on the same data. */
  sha256: string;
  sources: { name: string; licence: string; segments: number }[];
}

export function phraseSource(packed: PackedPhrases): PhraseSource {
  return {
    count: packed.count,
    get: (i) => unpackBits(packed.bytes.subarray(i * packed.bytesPerPhrase, (i + 1) * packed.bytesPerPhrase), packed.cellsPerPhrase),
  };
}

/**
 * Calls `visit(cell)` for every on-cell of phrase `index`, in order, straight from the packed bits (the data is ~1%
 * dense, so zero bytes are skipped), after checking the phrases have the cells `cellsPerPhrase` says.
 */
export function forEachOnCell(packed: PackedPhrases, index: number, visit: (cell: number) => void): void {
  const start = index * packed.bytesPerPhrase;
  for (let b = 0; b < packed.bytesPerPhrase; b++) {
    const byte = packed.bytes[start + b]!;
    if (byte === 0) continue;
    for (let bit = 0; bit < 8; bit++) {
      if (!(byte & (0x80 >> bit))) continue;
      const cell = b * 8 + bit;
      if (cell >= packed.cellsPerPhrase) return;
      visit(cell);
    }
  }
}

/** Throws unless the phrases have the cells a model of `spec` needs; returns the cells per bar. */
export function cellsPerBarOf(packed: PackedPhrases, spec: LoopSpec): number {
  const cellsPerBar = loopShape(spec).phraseSize / spec.bars;
  if (packed.cellsPerPhrase !== cellsPerBar * spec.bars) throw new RangeError(`phrases of ${packed.cellsPerPhrase} cells, the spec needs ${cellsPerBar * spec.bars}`);
  return cellsPerBar;
}

/** Packs phrases (0/1 cells each) onto shared memory. */
export function packPhrases(phrases: readonly Uint8Array[]): PackedPhrases {
  if (phrases.length === 0) throw new StudioError('BAD_INPUT', 'no phrases to train on');
  const cellsPerPhrase = phrases[0]!.length;
  const bytesPerPhrase = packedByteLength(cellsPerPhrase);
  const bytes = new Uint8Array(new SharedArrayBuffer(phrases.length * bytesPerPhrase));
  phrases.forEach((phrase, i) => {
    if (phrase.length !== cellsPerPhrase) throw new StudioError('BAD_INPUT', `phrase ${i} has ${phrase.length} cells, the first has ${cellsPerPhrase}`);
    for (let c = 0; c < cellsPerPhrase; c++) if (phrase[c]) bytes[i * bytesPerPhrase + (c >> 3)]! |= 0x80 >> (c & 7);
  });
  return { count: phrases.length, cellsPerPhrase, bytesPerPhrase, bytes };
}

/** Reads a loop dataset folder (`studio data loops`) for a model of `spec`; the shapes must agree. */
export function loadLoopData(dir: string, spec: LoopSpec): { packed: PackedPhrases; summary: LoopDataSummary } {
  const dataset = readLoopDataset(dir);
  const s = dataset.shape;
  const wanted = { bars: spec.bars, stepsPerBar: spec.stepsPerBar, pitchCount: spec.pitchCount, lowestPitch: spec.lowestPitch, tracks: spec.tracks.length };
  for (const [key, value] of Object.entries(wanted)) {
    if (s[key as keyof typeof s] !== value) {
      throw new StudioError('BAD_INPUT', `${dir}: phrases have ${key} ${s[key as keyof typeof s]}, the ${spec.preset} model needs ${value}`);
    }
  }
  if (dataset.count < 1) throw new StudioError('BAD_INPUT', `${dir}: the dataset has no phrases`);
  const cells = loopShape(spec).phraseSize;
  const bytesPerPhrase = packedByteLength(cells);
  const bytes = new Uint8Array(new SharedArrayBuffer(dataset.count * bytesPerPhrase));
  // Re-pack from the unpacked cells: the same bits, without relying on the file's internal layout.
  for (let i = 0; i < dataset.count; i++) {
    const phrase = dataset.get(i);
    for (let c = 0; c < cells; c++) if (phrase[c]) bytes[i * bytesPerPhrase + (c >> 3)]! |= 0x80 >> (c & 7);
  }
  const summary: LoopDataSummary = {
    dir,
    count: dataset.count,
    shape: { bars: s.bars, stepsPerBar: s.stepsPerBar, pitchCount: s.pitchCount, tracks: s.tracks, lowestPitch: s.lowestPitch },
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sources: dataset.info.sources.map((src) => ({ name: src.name, licence: src.licence, segments: src.segments })),
  };
  return { packed: { count: dataset.count, cellsPerPhrase: cells, bytesPerPhrase, bytes }, summary };
}
