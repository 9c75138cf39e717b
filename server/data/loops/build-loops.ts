/**
 * Builds a loop dataset from one or more folder trees of MIDI files: every file is cut into 4/4 phrases,
 * phrases with too few tracks and exact duplicates are dropped, and the rest are bit-packed into
 * `segments.bin` with a manifest. A bad file is listed in skipped.jsonl and never stops the build; the folder
 * appears atomically when the build is complete.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StudioError, describeThrown } from '../../util/errors.js';
import { writeDirAtomic } from '../../util/atomic.js';
import type { ProgressCallback } from '../../util/progress.js';
import { TRACK_COUNT, TRACK_FAMILIES } from '../../music/families.js';
import { midiToPhrases, defaultMidiReadOptions } from '../../music/midi-in.js';
import { packBits, packedByteLength } from '../../music/packing.js';
import { rollCellCount } from '../../music/roll.js';
import { findMidiFiles, type FoundMidi } from './find-midi.js';
import {
  LAYOUT_DESCRIPTION,
  LOOP_DATASET_FORMAT,
  LOOP_DATASET_VERSION,
  type LoopDatasetInfo,
  type LoopDatasetShape,
  type LoopManifestEntry,
  type LoopSourceSummary,
  type SkippedEntry,
} from './loop-dataset.js';

export interface LoopSource {
  /** Short name, recorded as each segment's origin (e.g. "openttd-openmsx"). */
  name: string;
  /** Folder tree holding the MIDI files. */
  dir: string;
  /** Short licence statement for LICENSES.md, e.g. "GPL-2.0". */
  licence?: string;
  /** Licence files copied to licences/<name>/ beside the data. */
  licenceFiles?: string[];
  /** Optional description of a segment (e.g. the MMA groove it renders), stored as the manifest's `detail`. */
  describeSegment?: (relativeFile: string, barOffset: number) => string | null;
}

export interface BuildLoopsOptions {
  sources: LoopSource[];
  /** Output folder (replaced atomically). */
  out: string;
  bars: number;
  stepsPerBar: number;
  /** Minimum number of non-empty tracks in a kept phrase. */
  minTracks: number;
  /** Largest MIDI file read (bigger ones are listed as skipped without being read). */
  maxFileBytes: number;
  onProgress?: ProgressCallback;
}

export const defaultBuildLoopsOptions: Omit<BuildLoopsOptions, 'sources' | 'out'> = {
  bars: 4,
  stepsPerBar: 48,
  minTracks: 3,
  maxFileBytes: defaultMidiReadOptions.maxBytes,
};

export interface BuildLoopsReport {
  out: string;
  count: number;
  files: number;
  filesFailed: number;
  duplicates: number;
  /** Bad files with the reason, for the CLI to show. */
  failures: SkippedEntry[];
  sources: LoopSourceSummary[];
}

const PITCH = { lowestPitch: 24, pitchCount: 84, beatsPerBar: 4 };

export async function buildLoopDataset(options: Partial<BuildLoopsOptions> & Pick<BuildLoopsOptions, 'sources' | 'out'>): Promise<BuildLoopsReport> {
  const o = { ...defaultBuildLoopsOptions, ...options };
  if (!Number.isInteger(o.bars) || o.bars < 1) throw new StudioError('BAD_INPUT', `--bars must be a positive integer, got ${o.bars}`);
  if (!Number.isInteger(o.minTracks) || o.minTracks < 1 || o.minTracks > TRACK_COUNT) {
    throw new StudioError('BAD_INPUT', `--min-tracks must be 1-${TRACK_COUNT}, got ${o.minTracks}`);
  }
  const shape: LoopDatasetShape = { bars: o.bars, stepsPerBar: o.stepsPerBar, ...PITCH, tracks: TRACK_COUNT };
  const bytesPerSegment = packedByteLength(rollCellCount(shape));
  const multi = o.sources.length > 1;
  const listed: { source: (typeof o.sources)[number]; file: FoundMidi }[] = [];
  const skipped: SkippedEntry[] = [];
  for (const source of o.sources) {
    const found = await findMidiFiles(source.dir);
    for (const file of found.files) listed.push({ source, file });
    for (const p of found.passedOver) skipped.push({ source: label(source.name, p.source, multi), reason: p.reason });
  }

  const summaries = new Map<string, LoopSourceSummary>(
    o.sources.map((s) => [s.name, { name: s.name, licence: s.licence ?? 'see the source', files: 0, filesFailed: 0, segments: 0, duplicates: 0 }]),
  );
  const failures: SkippedEntry[] = [];
  const seen = new Map<string, string>();
  let count = 0;
  let duplicates = 0;

  await writeDirAtomic(o.out, async (dir) => {
    const segments = await fs.open(path.join(dir, 'segments.bin'), 'w');
    const manifest: string[] = [];
    const packed = new Uint8Array(bytesPerSegment);
    try {
      for (let i = 0; i < listed.length; i++) {
        const { source, file } = listed[i]!;
        const summary = summaries.get(source.name)!;
        const name = label(source.name, file.relative, multi);
        summary.files++;
        o.onProgress?.({ done: i, total: listed.length, phase: 'reading MIDI', info: { segments: count, failed: failures.length } });
        let result;
        try {
          const stat = await fs.stat(file.file);
          if (stat.size > o.maxFileBytes) {
            throw new StudioError('TOO_LARGE', `${name}: ${(stat.size / 2 ** 20).toFixed(1)} MB is larger than the ${(o.maxFileBytes / 2 ** 20).toFixed(1)} MB limit for a MIDI file`);
          }
          const bytes = await fs.readFile(file.file);
          result = midiToPhrases(bytes, name, { bars: o.bars, stepsPerBar: o.stepsPerBar, ...PITCH, minTracks: o.minTracks, keepVelocities: false, read: { maxBytes: o.maxFileBytes } });
        } catch (err) {
          // One bad file never stops the folder: record it and go on.
          const reason = err instanceof StudioError ? err.message : `${name}: unexpected error (${describeThrown(err)})`;
          const failure = { source: name, reason };
          failures.push(failure);
          skipped.push(failure);
          summary.filesFailed++;
          continue;
        }
        for (const s of result.skipped) skipped.push({ ...s });
        for (const phrase of result.phrases) {
          packBits(phrase.data, packed);
          const key = createHash('sha1').update(packed).digest('hex');
          const first = seen.get(key);
          if (first !== undefined) {
            duplicates++;
            summary.duplicates++;
            skipped.push({ source: name, reason: `duplicate of ${first}`, barOffset: phrase.barOffset, bars: phrase.bars });
            continue;
          }
          seen.set(key, `${name} bar ${phrase.barOffset}`);
          await segments.write(packed);
          const entry: LoopManifestEntry = { source: name, origin: source.name, barOffset: phrase.barOffset, tempoBpm: phrase.tempoBpm, families: phrase.families };
          const detail = source.describeSegment?.(file.relative, phrase.barOffset);
          if (detail) entry.detail = detail;
          manifest.push(JSON.stringify(entry));
          count++;
          summary.segments++;
        }
      }
      o.onProgress?.({ done: listed.length, total: listed.length, phase: 'reading MIDI', info: { segments: count, failed: failures.length } });
      await segments.sync();
    } finally {
      await segments.close();
    }
    const info: LoopDatasetInfo = {
      format: LOOP_DATASET_FORMAT,
      version: LOOP_DATASET_VERSION,
      count,
      shape,
      trackFamilies: [...TRACK_FAMILIES],
      bytesPerSegment,
      layout: LAYOUT_DESCRIPTION,
      createdAt: new Date().toISOString(),
      minTracks: o.minTracks,
      sources: [...summaries.values()],
    };
    await fs.writeFile(path.join(dir, 'manifest.jsonl'), manifest.length > 0 ? manifest.join('\n') + '\n' : '');
    await fs.writeFile(path.join(dir, 'skipped.jsonl'), skipped.map((s) => JSON.stringify(s)).join('\n') + (skipped.length > 0 ? '\n' : ''));
    await writeLicences(dir, o.sources);
    await fs.writeFile(path.join(dir, 'dataset.json'), JSON.stringify(info, null, 2) + '\n');
  });

  return { out: o.out, count, files: listed.length, filesFailed: failures.length, duplicates, failures, sources: [...summaries.values()] };
}

function label(sourceName: string, relative: string, multi: boolean): string {
  return multi ? `${sourceName}/${relative}` : relative;
}

async function writeLicences(dir: string, sources: LoopSource[]): Promise<void> {
  const lines = [
    '# Licences of the data in this folder',
    '',
    'Each segment in manifest.jsonl names its origin; the terms of that origin apply to the segment.',
    'This folder is generated data: do not commit it.',
    '',
  ];
  for (const source of sources) {
    lines.push(`- **${source.name}**: ${source.licence ?? 'the licence of the files in ' + source.dir}`);
    for (const file of source.licenceFiles ?? []) {
      const target = path.join('licences', source.name, path.basename(file));
      try {
        await fs.mkdir(path.join(dir, 'licences', source.name), { recursive: true });
        await fs.copyFile(file, path.join(dir, target));
        lines.push(`  - full text: ${target.split(path.sep).join('/')}`);
      } catch (err) {
        lines.push(`  - licence file ${file} could not be copied (${(err as NodeJS.ErrnoException).code ?? describeThrown(err)})`);
      }
    }
  }
  await fs.writeFile(path.join(dir, 'LICENSES.md'), lines.join('\n') + '\n');
}
