/**
 * The default loop corpus (`npm run data:loops` -> midi-data/loops-default/): real multitrack General MIDI songs
 * shipped by Debian packages (downloaded and unpacked into a cache, never installed) plus MMA renderings of its
 * human-written 4/4 groove library. Facts and measured yields: shared/data/SOURCES.md. Each source's licence is
 * copied beside the data; the data itself is generated, never committed.
 */
import * as path from 'node:path';
import type { ProgressCallback } from '../../util/progress.js';
import { projectRoot } from '../../util/version.js';
import { buildLoopDataset, defaultBuildLoopsOptions, type BuildLoopsReport, type LoopSource } from './build-loops.js';
import { fetchDebianPackages } from './debian.js';
import { grooveNamer, renderMmaGrooves, type MmaRenderResult } from './mma.js';
import { ensureDebianCommand } from './system-tools.js';

export const DEFAULT_CORPUS_PACKAGES: readonly { name: string; licence: string }[] = [
  { name: 'openttd-openmsx', licence: 'GPL-2.0 (OpenMSX music for OpenTTD, Debian package openttd-openmsx)' },
  { name: 'simutrans-data', licence: 'Artistic-1.0 (Simutrans music, Debian package simutrans-data)' },
  { name: 'planetblupi-music-midi', licence: 'GPL-3+ (Planet Blupi music, Debian package planetblupi-music-midi)' },
  { name: 'mma', licence: "GPL-2+ (the .mid files shipped in Debian package mma)" },
];

export interface DefaultCorpusOptions {
  out: string;
  /** Downloads, unpacked packages and MMA renderings are kept here between builds. */
  cacheDir: string;
  bars: number;
  minTracks: number;
  /** Add MMA groove renderings (needs the `mma` command; installed with apt-get when running as root). */
  withMma: boolean;
  onProgress?: ProgressCallback;
  log?: (line: string) => void;
}

export function defaultCorpusOptions(): DefaultCorpusOptions {
  const root = projectRoot();
  return {
    out: path.join(root, 'midi-data', 'loops-default'),
    cacheDir: path.join(root, 'midi-data', '.cache', 'loops'),
    bars: defaultBuildLoopsOptions.bars,
    minTracks: defaultBuildLoopsOptions.minTracks,
    withMma: true,
  };
}

export interface DefaultCorpusReport extends BuildLoopsReport {
  mma: MmaRenderResult | null;
}

export async function buildDefaultLoopCorpus(options: Partial<DefaultCorpusOptions> = {}): Promise<DefaultCorpusReport> {
  const o = { ...defaultCorpusOptions(), ...options };
  const log = o.log ?? (() => {});
  // Fail before any download when mma is missing and cannot be installed.
  if (o.withMma) await ensureDebianCommand('mma', 'mma');
  const packages = await fetchDebianPackages(
    DEFAULT_CORPUS_PACKAGES.map((p) => p.name),
    o.cacheDir,
    log,
  );
  const sources: LoopSource[] = packages.map((p, i) => ({
    name: p.name,
    dir: p.dir,
    licence: DEFAULT_CORPUS_PACKAGES[i]!.licence,
    licenceFiles: p.copyrightFile ? [p.copyrightFile] : [],
  }));
  let mma: MmaRenderResult | null = null;
  if (o.withMma) {
    const grooveDir = path.join(o.cacheDir, 'mma-grooves');
    mma = await renderMmaGrooves({ outDir: grooveDir, barsPerGroove: o.bars, onProgress: o.onProgress });
    const mmaPackage = packages.find((p) => p.name === 'mma');
    const name = await grooveNamer(grooveDir);
    sources.push({
      name: 'mma-grooves',
      dir: grooveDir,
      licence: "GPL-2+ (renderings of MMA's groove library, Debian package mma; the patterns are mma's)",
      licenceFiles: mmaPackage?.copyrightFile ? [mmaPackage.copyrightFile] : [],
      describeSegment: name,
    });
  }
  const report = await buildLoopDataset({ sources, out: o.out, bars: o.bars, minTracks: o.minTracks, onProgress: o.onProgress });
  return { ...report, mma };
}
