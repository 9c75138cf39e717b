import type { Command } from 'commander';
import * as path from 'node:path';
import { StudioError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { projectRoot } from '../util/version.js';
import { buildLoopDataset, type BuildLoopsReport } from '../data/loops/build-loops.js';
import { buildDefaultLoopCorpus, defaultCorpusOptions } from '../data/loops/default-corpus.js';
import { commandGroup } from './groups.js';

interface DataLoopsFlags {
  from?: string;
  default?: boolean;
  out?: string;
  bars: string;
  minTracks: string;
  mma: boolean;
  quiet?: boolean;
  json?: boolean;
}

function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new StudioError('BAD_INPUT', `${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

const SHOWN_FAILURES = 20;

function printReport(report: BuildLoopsReport, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`wrote ${report.count} loop segments to ${report.out}`);
  console.log(`  ${report.files} MIDI files read, ${report.filesFailed} skipped, ${report.duplicates} duplicate segments removed`);
  for (const s of report.sources) {
    console.log(`  ${s.name}: ${s.segments} segments from ${s.files} files (${s.filesFailed} failed, ${s.duplicates} duplicates) - ${s.licence}`);
  }
  if (report.failures.length > 0) {
    console.log('skipped files:');
    for (const f of report.failures.slice(0, SHOWN_FAILURES)) console.log(`  ${f.reason}`);
    if (report.failures.length > SHOWN_FAILURES) console.log(`  ... and ${report.failures.length - SHOWN_FAILURES} more`);
  }
  console.log(`every skipped file and stretch, with its reason: ${path.join(report.out, 'skipped.jsonl')}`);
}

export function registerDataLoops(program: Command): void {
  commandGroup(program, 'data')
    .command('loops')
    .description('turn a folder tree of MIDI files (yours, or a Lakh MIDI tree) into a bit-packed 4/4 loop dataset under midi-data/')
    .option('--from <dir>', 'folder tree of .mid/.midi/.kar/.rmi/.mid.gz files')
    .option('--default', 'build the default corpus (midi-data/loops-default/) from Debian packages and MMA grooves; needs apt-get')
    .option('--out <dir>', 'output folder (default: midi-data/loops-<name of the --from folder>)')
    .option('--bars <n>', 'bars per phrase', '4')
    .option('--min-tracks <n>', 'keep phrases with at least this many non-empty tracks of the 5', '3')
    .option('--no-mma', 'with --default: leave out the MMA groove renderings')
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the report as JSON')
    .action(async (flags: DataLoopsFlags) => {
      const bars = positiveInt(flags.bars, '--bars');
      const minTracks = positiveInt(flags.minTracks, '--min-tracks');
      if (!flags.from && !flags.default) throw new StudioError('BAD_INPUT', 'say where the MIDI files are: --from DIR (or --default for the Debian + MMA corpus)');
      if (flags.from && flags.default) throw new StudioError('BAD_INPUT', '--from and --default cannot be used together');
      const bar = new ProgressBar({ quiet: flags.quiet });
      try {
        let report: BuildLoopsReport;
        if (flags.default) {
          const out = flags.out ? path.resolve(flags.out) : defaultCorpusOptions().out;
          report = await buildDefaultLoopCorpus({ out, bars, minTracks, withMma: flags.mma, onProgress: bar.update, log: (line) => !flags.quiet && console.error(line) });
        } else {
          const from = path.resolve(flags.from!);
          const out = flags.out ? path.resolve(flags.out) : path.join(projectRoot(), 'midi-data', `loops-${path.basename(from)}`);
          report = await buildLoopDataset({ sources: [{ name: path.basename(from), dir: from }], out, bars, minTracks, onProgress: bar.update });
        }
        bar.stop();
        printReport(report, flags.json ?? false);
      } finally {
        bar.stop();
      }
    });
}
