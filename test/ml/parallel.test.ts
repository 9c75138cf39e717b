import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { DataParallelTrainer, splitBatch } from '../../server/ml/parallel/data-parallel.js';
import { switchBackend } from './layers/helpers.js';

const fixture = fileURLToPath(new URL('./layers/fixtures/tiny-replica.ts', import.meta.url));

describe('ml/parallel DataParallelTrainer', function () {
  this.timeout(60_000);
  let restore: () => Promise<void>;
  before(async () => (restore = await switchBackend('cpu')));
  after(async () => restore());

  it('splits batches evenly', () => {
    assert.deepEqual(splitBatch(16, 2), [8, 8]);
    assert.deepEqual(splitBatch(5, 2), [3, 2]);
    assert.deepEqual(splitBatch(1, 2), [1, 0]);
  });

  it('trains two replicas in lockstep, like one replica on the whole batch', async () => {
    const single = await DataParallelTrainer.start({ module: fixture, options: { batch: 8 }, parties: 1, backend: 'cpu' });
    const pair = await DataParallelTrainer.start({ module: fixture, options: { batch: 8 }, parties: 2, backend: 'cpu' });
    try {
      for (let i = 0; i < 4; i++) {
        const a = await single.iterate();
        const b = await pair.iterate();
        for (const phase of ['d', 'g']) assert.ok(Math.abs(a[phase]! - b[phase]!) < 1e-4 * Math.max(1, a[phase]!), `${phase}: ${a[phase]} vs ${b[phase]}`);
      }
      const mine = single.replica.generate(1);
      const main = pair.replica.generate(1);
      assert.ok(Math.abs(mine - main) < 1e-4, `parameters drift: ${mine} vs ${main}`);
      // generate(2) gives each replica one sample and sums their checksums: equal replicas give exactly twice.
      assert.equal((await pair.generate(2)) - main, main);
    } finally {
      await single.close();
      await pair.close();
    }
  });

  it('fails an iteration, instead of hanging, when a worker replica throws', async () => {
    const pair = await DataParallelTrainer.start({ module: fixture, options: { batch: 4, failOn: { rank: 1, phase: 'g' } }, parties: 2, backend: 'cpu' });
    try {
      await assert.rejects(pair.iterate(), /peer failed|planned failure/);
    } finally {
      await pair.close();
    }
  });
});
