import { strict as assert } from 'node:assert';
import { binarySchema, jobRequestSchema, loopRequestSchema, modelIdSchema, noteRequestSchema, jamUpdateSchema } from '../../server/protocol.js';
import { JobBroadcast, type JobEventName } from '../../server/api/job-broadcast.js';
import type { JobView } from '../../server/protocol.js';

describe('protocol: payload schemas', () => {
  it('fills note defaults and refuses unknown fields, out-of-range pitches and non-integer seeds', () => {
    assert.deepEqual(noteRequestSchema.parse({ pitch: 60 }), { pitch: 60, velocity: 100, format: 'wav16' });
    for (const bad of [{ pitch: 23 }, { pitch: 85 }, { pitch: 60.5 }, { pitch: 60, seed: -1 }, { pitch: 60, seed: 1.5 }, { pitch: 60, sampleRate: 12345 }, { pitch: 60, colour: 'red' }, { pitch: '60' }]) {
      assert.equal(noteRequestSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  it('takes binary as bytes (socket) or base64 (HTTP), and nothing else', () => {
    const bytes = Uint8Array.from([77, 84, 104, 100]);
    assert.deepEqual(binarySchema.parse(Buffer.from(bytes)), Buffer.from(bytes));
    assert.deepEqual(binarySchema.parse(bytes.buffer), bytes);
    assert.deepEqual(binarySchema.parse('TVRoZA=='), bytes);
    for (const bad of ['not base64!', '', new Uint8Array(0), 42, { 0: 77 }]) assert.equal(binarySchema.safeParse(bad).success, false, String(bad));
  });

  it('checks loop fields together: key with scale, unique tracks, a condition track', () => {
    assert.equal(loopRequestSchema.safeParse({ key: 'C' }).success, false);
    assert.equal(loopRequestSchema.safeParse({ key: 'C', scale: 'major' }).success, true);
    assert.equal(loopRequestSchema.safeParse({ tracks: ['drums', 'drums'] }).success, false);
    assert.equal(loopRequestSchema.safeParse({ tracks: ['kazoo'] }).success, false);
    assert.equal(loopRequestSchema.safeParse({ condition: { midi: 'TVRoZA==', track: 'piano' } }).success, true);
    assert.equal(loopRequestSchema.safeParse({ condition: { midi: 'TVRoZA==' } }).success, false);
    assert.equal(jamUpdateSchema.safeParse({ transport: { bar: -1 } }).success, false);
  });

  it('accepts model ids that are folder names and nothing path-like', () => {
    for (const ok of ['notes-default', 'loops_v2.1', 'A']) assert.equal(modelIdSchema.safeParse(ok).success, true, ok);
    for (const bad of ['../x', 'a/b', '/abs', '.hidden', '', 'a..b', 'x'.repeat(65), 'a b', 'a\\b']) assert.equal(modelIdSchema.safeParse(bad).success, false, bad);
  });

  it('keeps job options to known fields; data-loops reads only an absolute folder', () => {
    assert.equal(jobRequestSchema.safeParse({ type: 'train-notes', options: { model: 'm', preset: 'tiny' } }).success, true);
    assert.equal(jobRequestSchema.safeParse({ type: 'train-notes', options: { model: 'm', out: '/etc' } }).success, false);
    assert.equal(jobRequestSchema.safeParse({ type: 'data-loops', options: { from: 'relative/dir' } }).success, false);
    assert.equal(jobRequestSchema.safeParse({ type: 'data-loops', options: { from: '/data/../etc' } }).success, false);
    assert.equal(jobRequestSchema.safeParse({ type: 'data-loops', options: { from: '/home/me/midi' } }).success, true);
    assert.deepEqual(jobRequestSchema.parse({ type: 'data-notes' }), { type: 'data-notes', options: {} });
  });
});

describe('job broadcast: progress at most every interval, the end at once', () => {
  it('sends the first progress, holds a burst back to its latest, and never delays job:done', async () => {
    const sent: [JobEventName, number][] = [];
    const broadcast = new JobBroadcast((_id, event, job) => sent.push([event, job.progress?.done ?? -1]), 100);
    const job = (done: number) => ({ id: 'j', progress: { done } }) as unknown as JobView;
    for (let i = 1; i <= 5; i++) broadcast.send(job(i), 'progress');
    assert.deepEqual(sent, [['job:progress', 1]]);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(sent, [['job:progress', 1], ['job:progress', 5]]);
    broadcast.send(job(6), 'progress');
    broadcast.send(job(7), 'done');
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(sent.slice(2), [['job:done', 7]], 'the held-back progress is dropped once the job is done');
    broadcast.close();
  });
});
