import { strict as assert } from 'node:assert';
import { ProgressTracker } from '../../server/jobs/progress-tracker.js';

describe('jobs: progress tracker', () => {
  it('measures rate and ETA over a sliding window, across phases that count the same units', () => {
    const tracker = new ProgressTracker();
    assert.equal(tracker.read({ done: 3, total: 40, phase: 'loading' }, 0)!.etaSeconds, null);
    tracker.read({ done: 40, total: 40, phase: 'loading' }, 1000);
    const start = tracker.read({ done: 0, total: 1000, phase: 'training' }, 2000)!;
    assert.equal(start.rate, null, 'a new count starts a new rate');
    tracker.read({ done: 100, total: 1000, phase: 'training', info: { D: 1.5, G: -2, note: 'x' } }, 12_000);
    const checkpoint = tracker.read({ done: 100, total: 1000, phase: 'checkpoint' }, 14_000)!;
    assert.equal(checkpoint.rate!.toFixed(3), (100 / 12).toFixed(3), 'checkpoint time counts against the rate');
    const later = tracker.read({ done: 200, total: 1000, phase: 'training', info: { D: 1, G: -1 } }, 22_000)!;
    assert.equal(later.rate, 10);
    assert.equal(later.etaSeconds, 80);
    assert.deepEqual(later.losses, { D: 1, G: -1 });
    assert.deepEqual(later.lossPoint, { step: 200, D: 1, G: -1 });
  });

  it('ignores events that are not progress, or not numbers, and cleans what it keeps', () => {
    const tracker = new ProgressTracker();
    for (const bad of [{ type: 'checkpoint', step: 3 }, { done: '1', total: 2 }, { done: 1 }, { done: Infinity, total: 2 }, { done: NaN, total: 1 }]) {
      assert.equal(tracker.read(bad as Record<string, unknown>), null, JSON.stringify(bad));
    }
    const odd = tracker.read({ done: 1, total: 2, phase: 'x'.repeat(500), info: { ['k'.repeat(50)]: 1, ok: 'y'.repeat(500), n: Infinity, nested: { a: 1 } } })!;
    assert.equal(odd.progress.phase!.length, 80);
    assert.deepEqual(Object.keys(odd.progress.info), ['ok']);
    assert.equal((odd.progress.info.ok as string).length, 120);
  });
});
