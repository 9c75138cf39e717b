import type { Command } from 'commander';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { initBackend, type BackendName } from '../ml/backend.js';
import { readPackageVersion } from '../util/version.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('print the Node version, the tfjs backend in use and why, and thread counts')
    .option('--json', 'print the report as JSON')
    .option('--backend <name>', 'check a specific backend (tensorflow, wasm, cpu) instead of the automatic choice')
    .action(async (opts: { json?: boolean; backend?: BackendName }) => {
      const info = await initBackend({ backend: opts.backend });
      const report = {
        studio: readPackageVersion(),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: availableParallelism(),
        memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
        backend: info.name,
        provider: info.provider,
        reason: info.reason,
        backendThreads: info.threads,
        probes: info.probes,
        patchedKernels: info.patchedKernels,
      };
      if (opts.json) {
        console.log(JSON.stringify(report, null, 2));
        return;
      }
      console.log(`studio ${report.studio}`);
      console.log(`node      ${report.node} (${report.platform})`);
      console.log(`cpu       ${report.cpu}, ${report.cores} cores, ${report.memoryGiB} GiB`);
      console.log(`backend   ${report.backend} via ${report.provider}`);
      console.log(`          why: ${report.reason}`);
      console.log(`threads   ${report.backendThreads} per backend instance`);
      for (const probe of report.probes) {
        console.log(`  ${probe.available ? 'ok  ' : 'no  '} ${probe.candidate}: ${probe.detail}`);
      }
      if (report.patchedKernels.length > 0) {
        console.log(`kernels   ${report.patchedKernels.length} registered for training: ${report.patchedKernels.join(', ')}`);
      }
    });
}
