/**
 * `studio worker`: runs queued jobs (training, dataset builds, renders) for `studio serve --redis` instances, on
 * this machine or another that sees the same models folder. Stops cleanly on SIGINT/SIGTERM: running jobs
 * checkpoint and go back to the queue for another worker.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { defaultModelsDir } from '../checkpoints/resolve.js';
import { StudioError } from '../util/errors.js';
import { projectRoot } from '../util/version.js';
import { QUEUE_NAMES, parseQueueList } from '../scale/queues.js';

interface WorkerFlags {
  redis?: string;
  concurrency: string;
  queues?: string;
  models?: string;
  audioData?: string;
  midiData?: string;
  exports?: string;
}

async function workerCommand(flags: WorkerFlags): Promise<void> {
  const redisUrl = flags.redis ?? (process.env.REDIS_URL || undefined);
  if (!redisUrl) throw new StudioError('BAD_INPUT', 'say which Redis to take jobs from: --redis redis://HOST:PORT (or REDIS_URL)');
  const concurrency = Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new StudioError('BAD_INPUT', `--concurrency must be an integer 1-64, got "${flags.concurrency}"`);
  const queues = flags.queues === undefined ? [...QUEUE_NAMES] : parseQueueList(flags.queues);
  const root = projectRoot();
  const modelsDir = flags.models ? path.resolve(flags.models) : defaultModelsDir();
  // Loaded here so other commands never load bullmq or ioredis.
  const { QueueWorker } = await import('../scale/queue-worker.js');
  const worker = await QueueWorker.start({
    redisUrl,
    queues,
    concurrency,
    directories: {
      modelsDir,
      audioDataDir: flags.audioData ? path.resolve(flags.audioData) : path.join(root, 'audio-data'),
      midiDataDir: flags.midiData ? path.resolve(flags.midiData) : path.join(root, 'midi-data'),
      exportsDir: flags.exports ? path.resolve(flags.exports) : path.join(root, 'exports'),
    },
  });
  console.error(`studio worker: models in ${modelsDir}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.error(`studio worker: ${signal}: stopping (running jobs checkpoint and go back to the queue)`);
      void worker.close().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run queued jobs (training, dataset builds, renders) for `studio serve --redis` servers')
    .option('--redis <url>', 'the Redis the servers use (env REDIS_URL): redis://[user:password@]host:port[/db], or rediss:// for TLS')
    .option('--concurrency <n>', 'jobs run at once per queue; each takes about one core', '1')
    .option('--queues <list>', `queues to take jobs from, of ${QUEUE_NAMES.join(',')} (default all): train = training, data = dataset builds, render = instruments and loop batches`)
    .option('--models <dir>', 'the shared folder of model folders (default models/, or STUDIO_MODELS_DIR); training writes here, renders read here')
    .option('--audio-data <dir>', 'note datasets (default audio-data/)')
    .option('--midi-data <dir>', 'loop datasets (default midi-data/)')
    .option('--exports <dir>', 'where renders are written (default exports/); share it with the servers to serve the files')
    .action(workerCommand);
}
