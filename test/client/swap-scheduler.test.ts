import assert from 'node:assert/strict';
import { SwapPlan, safeSwapBar, secondsPerBar, type TransportNow } from '../../client/src/jam/swap-scheduler.js';

const playingAt = (bar: number, tempoBpm = 120): TransportNow => ({ bar, tempoBpm, beatsPerBar: 4, playing: true });

describe('client jam swap scheduler', () => {
  it('keeps the bar line the server asked for when it is far enough ahead', () => {
    const plan = new SwapPlan({ safetySeconds: 0.15 });
    // 120 bpm, 4/4: a bar is 2 s, so bar 3.5 is 1 s before bar 4.
    const decision = plan.accept({ sequence: 1, forBar: 4, bars: 4 }, playingAt(3.5));
    assert.deepEqual(decision, { kind: 'swap', sequence: 1, atBar: 4, late: false, cancels: [] });
  });

  it('takes the next safe bar line when the asked one is too close or already past', () => {
    const plan = new SwapPlan({ safetySeconds: 0.15 });
    // 0.1 s before bar 4 is closer than the 0.15 s safety margin: bar 5.
    const close = plan.accept({ sequence: 1, forBar: 4, bars: 4 }, playingAt(4 - 0.1 / 2));
    assert.equal(close.kind === 'swap' && close.atBar, 5);
    assert.equal(close.kind === 'swap' && close.late, true);
    // Already past (bar 6.3 when bar 6 was asked): bar 7.
    const past = plan.accept({ sequence: 2, forBar: 6, bars: 4 }, playingAt(6.3));
    assert.equal(past.kind === 'swap' && past.atBar, 7);
  });

  it('measures the safety margin in seconds, so a slow tempo needs less of a bar', () => {
    // At 30 bpm a bar lasts 8 s; 0.15 s is under 2% of a bar.
    assert.deepEqual(safeSwapBar(10, playingAt(9.97, 30), 0.15), { atBar: 10, late: false });
    // At 240 bpm a bar lasts 1 s; 0.03 bars before the line is 30 ms: too close.
    assert.deepEqual(safeSwapBar(10, playingAt(9.97, 240), 0.15), { atBar: 11, late: true });
    assert.equal(secondsPerBar(120, 4), 2);
    assert.equal(secondsPerBar(90, 3), 2);
  });

  it('drops loops that are not newer than the last one taken', () => {
    const plan = new SwapPlan();
    plan.accept({ sequence: 3, forBar: 2, bars: 4 }, playingAt(1));
    const stale = plan.accept({ sequence: 2, forBar: 3, bars: 4 }, playingAt(1.2));
    assert.deepEqual(stale, { kind: 'stale', sequence: 2, lastSequence: 3 });
    const repeat = plan.accept({ sequence: 3, forBar: 3, bars: 4 }, playingAt(1.2));
    assert.equal(repeat.kind, 'stale');
  });

  it('a newer loop cancels pending swaps at or after its bar line, and keeps earlier ones', () => {
    const plan = new SwapPlan();
    plan.accept({ sequence: 1, forBar: 0, bars: 4 }, { ...playingAt(0), playing: false });
    plan.accept({ sequence: 2, forBar: 8, bars: 4 }, playingAt(2.5));
    plan.accept({ sequence: 3, forBar: 4, bars: 4 }, playingAt(2.6));
    const decision = plan.accept({ sequence: 4, forBar: 6, bars: 4 }, playingAt(2.7));
    // Sequence 2 (bar 8) is cancelled; sequence 3 (bar 4) still plays before sequence 4 takes over at bar 6.
    assert.deepEqual(decision, { kind: 'swap', sequence: 4, atBar: 6, late: false, cancels: [] });
    assert.deepEqual(plan.scheduled.map((s) => [s.sequence, s.atBar]), [[1, 0], [3, 4], [4, 6]]);
  });

  it('says which loop, and which bar of it, sounds at any transport position', () => {
    const plan = new SwapPlan();
    plan.accept({ sequence: 1, forBar: 0, bars: 4 }, { ...playingAt(0), playing: false });
    plan.accept({ sequence: 2, forBar: 6, bars: 2 }, playingAt(3));
    assert.equal(plan.playingAt(5.99)?.sequence, 1);
    assert.equal(plan.loopBarAt(5.5), 1.5); // bar 5.5 is bar 1.5 of a 4-bar loop started at 0
    assert.equal(plan.playingAt(6)?.sequence, 2);
    assert.equal(plan.loopBarAt(9.25), 1.25); // 3.25 bars into a 2-bar loop
    assert.deepEqual(plan.pendingAfter(3).map((s) => s.sequence), [2]);
    assert.deepEqual(plan.pendingAfter(7), []);
  });

  it('while stopped, the newest loop simply becomes the one that starts at bar 0', () => {
    const plan = new SwapPlan();
    plan.accept({ sequence: 1, forBar: 0, bars: 4 }, { ...playingAt(0), playing: false });
    const decision = plan.accept({ sequence: 2, forBar: 5, bars: 8 }, { ...playingAt(0), playing: false });
    assert.deepEqual(decision, { kind: 'swap', sequence: 2, atBar: 0, late: false, cancels: [1] });
    assert.deepEqual(plan.scheduled, [{ sequence: 2, atBar: 0, bars: 8 }]);
  });

  it('a restart plays the newest loop from bar 0 and forgets pending swaps; reset starts a new session', () => {
    const plan = new SwapPlan();
    plan.accept({ sequence: 1, forBar: 0, bars: 4 }, { ...playingAt(0), playing: false });
    plan.accept({ sequence: 2, forBar: 12, bars: 4 }, playingAt(9));
    assert.deepEqual(plan.restart(), { sequence: 2, atBar: 0, bars: 4 });
    assert.deepEqual(plan.scheduled, [{ sequence: 2, atBar: 0, bars: 4 }]);
    plan.reset();
    assert.equal(plan.accept({ sequence: 1, forBar: 0, bars: 4 }, playingAt(0.5)).kind, 'swap');
  });
});
