import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ProgressBar, formatSeconds } from '../../server/util/progress.js';

describe('progress bar', () => {
  it('formats remaining time as h/m/s without a 60 in any field', () => {
    assert.equal(formatSeconds(42), '42s');
    assert.equal(formatSeconds(125), '2m05s');
    assert.equal(formatSeconds(3599.6), '1h00m');
    assert.equal(formatSeconds(3725), '1h02m');
    assert.equal(formatSeconds(-3), '0s');
  });

  it('estimates from the average rate since the phase started, also when one count is reported many times', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (text += chunk.toString()));
    let clock = 1_000_000;
    const bar = new ProgressBar({ stream, now: () => clock });
    bar.update({ done: 100, total: 1100, phase: 'training' }); // resumed at 100
    clock += 200;
    for (let i = 0; i < 5; i++) bar.update({ done: 110, total: 1100, phase: 'training', info: { loss: i } });
    bar.stop();
    // 10 steps in 0.2 s -> 990 steps left at 50/s = 19.8 s.
    const last = [...text.matchAll(/ETA (\S+)/g)].map((m) => m[1]).at(-1);
    assert.equal(last, '20s', JSON.stringify(text.slice(-300)));
  });
});
