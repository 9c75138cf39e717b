/** Worker-thread side of DataParallelTrainer: one replica on its own backend instance. */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendName } from '../backend.js';
import { GradientExchange, type ExchangeBuffers } from './gradient-exchange.js';
import { runIteration, type ReplicaModule } from './replica.js';
import { describeThrown } from '../../util/errors.js';

export interface ReplicaWorkerData {
  moduleUrl: string;
  options: unknown;
  rank: number;
  parties: number;
  backend: BackendName;
  buffers: ExchangeBuffers;
}

export type ReplicaCommand = { type: 'iterate' } | { type: 'generate'; batch: number } | { type: 'close' };
export type ReplicaReply =
  | { type: 'ready' }
  | { type: 'iterated'; losses: Record<string, number> }
  | { type: 'generated'; checksum: number }
  | { type: 'error'; message: string };

const data = workerData as ReplicaWorkerData;
const port = parentPort!;
const exchange = new GradientExchange(data.buffers, data.rank, data.parties);

try {
  await initBackend({ backend: data.backend });
  const mod = (await import(data.moduleUrl)) as ReplicaModule;
  const replica = await mod.createReplica(data.options, { rank: data.rank, parties: data.parties });
  port.on('message', (command: ReplicaCommand) => {
    try {
      if (command.type === 'iterate') port.postMessage({ type: 'iterated', losses: runIteration(replica, exchange) } satisfies ReplicaReply);
      else if (command.type === 'generate') port.postMessage({ type: 'generated', checksum: replica.generate(command.batch) } satisfies ReplicaReply);
      else {
        replica.dispose();
        port.close();
      }
    } catch (err) {
      exchange.abort();
      port.postMessage({ type: 'error', message: describeThrown(err) } satisfies ReplicaReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies ReplicaReply);
} catch (err) {
  exchange.abort();
  port.postMessage({ type: 'error', message: describeThrown(err) } satisfies ReplicaReply);
}
