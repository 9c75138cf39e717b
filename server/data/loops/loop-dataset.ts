/**
 * The loop dataset on disk, `midi-data/<name>/`:
 *   dataset.json    format, version, count, shape, per-source counts and licences
 *   segments.bin    count x bytesPerSegment: each phrase's 0/1 cells, channels-last [bar][step][pitch][track],
 *                   bit-packed MSB first (10,080 bytes for 4 x 48 x 84 x 5)
 *   manifest.jsonl  one line per segment, same order: source file, bar offset, tempo, families present
 *   skipped.jsonl   files and stretches not used, with reasons
 *   LICENSES.md (+ licences/)  each source's licence, kept beside the data
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../../util/errors.js';
import { TRACK_COUNT, isTrackFamily, type TrackFamily } from '../../music/families.js';
import { packedByteLength, unpackBits } from '../../music/packing.js';
import { rollCellCount, type MultitrackRoll } from '../../music/roll.js';

export const LOOP_DATASET_FORMAT = 'studio-loops';
export const LOOP_DATASET_VERSION = 1;

export interface LoopDatasetShape {
  bars: number;
  stepsPerBar: number;
  pitchCount: number;
  tracks: number;
  lowestPitch: number;
  beatsPerBar: number;
}

export interface LoopManifestEntry {
  /** Source file, relative to its source folder, prefixed with the source name when there are several. */
  source: string;
  /** Name of the corpus the file came from (e.g. a Debian package, "mma", or the --from folder's name). */
  origin: string;
  barOffset: number;
  tempoBpm: number;
  families: TrackFamily[];
  /** What the segment is, when the source knows (e.g. "8Beat (c-pop, 100 bpm)" for an MMA groove). */
  detail?: string;
}

export interface SkippedEntry {
  source: string;
  reason: string;
  barOffset?: number;
  bars?: number;
}

export interface LoopSourceSummary {
  name: string;
  /** Short licence statement, e.g. "GPL-2.0 (Debian package openttd-openmsx)". */
  licence: string;
  files: number;
  filesFailed: number;
  segments: number;
  duplicates: number;
}

export interface LoopDatasetInfo {
  format: typeof LOOP_DATASET_FORMAT;
  version: number;
  count: number;
  shape: LoopDatasetShape;
  trackFamilies: TrackFamily[];
  bytesPerSegment: number;
  layout: string;
  createdAt: string;
  minTracks: number;
  sources: LoopSourceSummary[];
}

export interface LoopDataset {
  dir: string;
  info: LoopDatasetInfo;
  count: number;
  shape: LoopDatasetShape;
  manifest: LoopManifestEntry[];
  /** Segment i unpacked to 0/1 cells, channels-last [bar][step][pitch][track] (a fresh array each call). */
  get(i: number): Uint8Array;
  /** Segment i as a roll, with its tempo from the manifest. */
  getRoll(i: number): MultitrackRoll;
}

export const LAYOUT_DESCRIPTION = 'channels-last [bar][step][pitch][track], 1 bit per cell, most significant bit first';

function bad(dir: string, file: string, problem: string): StudioError {
  return new StudioError('BAD_FILE', `${path.join(dir, file)}: ${problem}`);
}

function readInfo(dir: string): LoopDatasetInfo {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'dataset.json'), 'utf8');
  } catch {
    throw new StudioError('NOT_FOUND', `${dir}: is not a loop dataset (no dataset.json); build one with \`studio data loops\``);
  }
  let info: LoopDatasetInfo;
  try {
    info = JSON.parse(text) as LoopDatasetInfo;
  } catch (err) {
    throw bad(dir, 'dataset.json', `is not valid JSON (${(err as Error).message})`);
  }
  if (info.format !== LOOP_DATASET_FORMAT) throw bad(dir, 'dataset.json', `format is ${JSON.stringify(info.format)}, expected "${LOOP_DATASET_FORMAT}"`);
  if (info.version !== LOOP_DATASET_VERSION) throw bad(dir, 'dataset.json', `version ${info.version} is not supported (this studio reads ${LOOP_DATASET_VERSION})`);
  const s = info.shape;
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (!s || ![s.bars, s.stepsPerBar, s.pitchCount, s.beatsPerBar].every(positive) || s.tracks !== TRACK_COUNT || !Number.isInteger(s.lowestPitch)) {
    throw bad(dir, 'dataset.json', `has an invalid shape ${JSON.stringify(s)}`);
  }
  if (!Number.isInteger(info.count) || info.count < 0) throw bad(dir, 'dataset.json', `has an invalid count ${info.count}`);
  if (info.bytesPerSegment !== packedByteLength(rollCellCount(s))) {
    throw bad(dir, 'dataset.json', `bytesPerSegment ${info.bytesPerSegment} does not match the shape (${packedByteLength(rollCellCount(s))})`);
  }
  return info;
}

function readManifest(dir: string, count: number): LoopManifestEntry[] {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'manifest.jsonl'), 'utf8');
  } catch {
    throw bad(dir, 'manifest.jsonl', 'is missing');
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== count) throw bad(dir, 'manifest.jsonl', `has ${lines.length} entries, dataset.json says ${count}`);
  return lines.map((line, i) => {
    let entry: LoopManifestEntry;
    try {
      entry = JSON.parse(line) as LoopManifestEntry;
    } catch {
      throw bad(dir, 'manifest.jsonl', `line ${i + 1} is not valid JSON`);
    }
    if (typeof entry.source !== 'string' || !Number.isFinite(entry.tempoBpm) || !Array.isArray(entry.families) || !entry.families.every(isTrackFamily)) {
      throw bad(dir, 'manifest.jsonl', `line ${i + 1} is not a manifest entry`);
    }
    return entry;
  });
}

/** Opens a loop dataset folder, checking that its files agree with each other; segments are read into memory. */
export function readLoopDataset(dir: string): LoopDataset {
  const info = readInfo(dir);
  const manifest = readManifest(dir, info.count);
  let segments: Buffer;
  try {
    segments = readFileSync(path.join(dir, 'segments.bin'));
  } catch {
    throw bad(dir, 'segments.bin', 'is missing');
  }
  const expected = info.count * info.bytesPerSegment;
  if (segments.length !== expected) {
    throw bad(dir, 'segments.bin', `has ${segments.length} bytes; ${info.count} segments of ${info.bytesPerSegment} bytes need ${expected}`);
  }
  const shape = info.shape;
  const cells = rollCellCount(shape);
  const get = (i: number): Uint8Array => {
    if (!Number.isInteger(i) || i < 0 || i >= info.count) throw new StudioError('BAD_INPUT', `segment ${i} is outside 0..${info.count - 1}`);
    return unpackBits(segments.subarray(i * info.bytesPerSegment, (i + 1) * info.bytesPerSegment), cells);
  };
  return {
    dir,
    info,
    count: info.count,
    shape,
    manifest,
    get,
    getRoll: (i) => ({
      bars: shape.bars,
      stepsPerBar: shape.stepsPerBar,
      lowestPitch: shape.lowestPitch,
      pitchCount: shape.pitchCount,
      beatsPerBar: shape.beatsPerBar,
      tempoBpm: manifest[i]?.tempoBpm ?? 120,
      data: get(i),
    }),
  };
}
