import type { Command } from 'commander';
import * as path from 'node:path';
import { StudioError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { datasetLoopMetrics } from '../data/loops/evaluate-dataset.js';
import { formatLoopMetrics } from '../music/metrics-format.js';
import { formatPaperComparison } from '../musegan/paper-reference.js';
import type { LoopMetrics } from '../music/metrics.js';
import { commandGroup } from './groups.js';
import { measureLoopModel, modelReport, parseEvalModelFlags, saveLoopEvaluation, type EvalModelFlags } from './eval-loops-model.js';

interface EvalLoopsFlags extends EvalModelFlags {
  data?: string;
  limit?: string;
  table?: boolean;
  quiet?: boolean;
}

/**
 * Prints metric sets keyed by what was measured ("data", "model", ...): JSON by default, or the side-by-side
 * table. A model's figures are added as one more key beside the data's.
 */
export function printLoopMetrics(sets: Record<string, LoopMetrics>, asTable: boolean): void {
  console.log(asTable ? formatLoopMetrics(sets) : JSON.stringify(sets, null, 2));
}

export function registerEvalLoops(program: Command): void {
  commandGroup(program, 'eval')
    .command('loops')
    .description("MuseGAN's metrics (EB, UPC, QN, DP, TD; Dong et al. 2018) of a loop dataset, as JSON")
    .option('--data <dir>', 'loop dataset folder (made by `studio data loops`)')
    .option('--limit <n>', 'measure at most n segments, spread evenly over the dataset')
    .option('--model <dir|id>', "also measure a loop model's generated loops (seeds 0..count-1), beside the data's")
    .option('--count <n>', 'loops generated with --model (default 1000)')
    .option('--seed <n>', 'first seed of the generated loops (default 0)')
    .option('--threshold <t>', 'note-on threshold of the generated loops (default 0.5)')
    .option('--save', "with --model: also store the figures in the model's metadata.json (metrics.eval)")
    .option('--table', 'print a table instead of JSON')
    .option('--quiet', 'no progress bar')
    .action(async (flags: EvalLoopsFlags) => {
      const modelFlags = parseEvalModelFlags(flags);
      if (!flags.data && !modelFlags) throw new StudioError('BAD_INPUT', 'say which dataset to measure: --data DIR (and/or a model: --model DIR)');
      let limit: number | undefined;
      if (flags.limit !== undefined) {
        if (!/^\d+$/.test(flags.limit) || Number(flags.limit) < 1) throw new StudioError('BAD_INPUT', `--limit must be a positive whole number, got ${JSON.stringify(flags.limit)}`);
        limit = Number(flags.limit);
      }
      const bar = new ProgressBar({ quiet: flags.quiet });
      try {
        const data = flags.data ? datasetLoopMetrics(path.resolve(flags.data), { limit, onProgress: bar.update }) : null;
        bar.stop();
        if (!modelFlags) return printLoopMetrics({ data: data! }, flags.table ?? false);
        const model = await measureLoopModel(modelFlags, bar.update);
        bar.stop();
        const report = { ...(data ? { data } : {}), ...modelReport(data, model), generated: { count: modelFlags.count, firstSeed: modelFlags.firstSeed, threshold: modelFlags.threshold } };
        if (flags.table) {
          printLoopMetrics(data ? { data, model } : { model }, true);
          if (report.paperHybrid) console.log(`\n${formatPaperComparison(report.paperHybrid)}`);
        }
        else console.log(JSON.stringify(report, null, 2));
        if (flags.save) await saveLoopEvaluation(modelFlags.dir, report);
      } finally {
        bar.stop();
      }
    });
}
