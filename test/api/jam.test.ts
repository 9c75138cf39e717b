import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { JamNext, JamState, LoopRollJson } from '../../server/protocol.js';
import { sharedTinyLoopModel } from './loop-fixture.js';
import { connect, nextEvent, removeDir, request, startTestServer, type ClientSocket, type TestServer } from './helpers.js';

/** The server's default lead (jamSessionDefaults.leadSeconds); at 120 BPM it is an eighth of a bar. */
const LEAD_SECONDS = 0.25;

function notesOf(roll: LoopRollJson, track: string): string {
  return JSON.stringify(roll.tracks.find((t) => t.name === track)!.notes);
}

/** Every jam:next a socket receives, in order. */
function collect(socket: ClientSocket): JamNext[] {
  const seen: JamNext[] = [];
  socket.on('jam:next', (next) => seen.push(next));
  return seen;
}

describe('api: jam sessions push the next loop ahead of its bar line', function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    const dir = await sharedTinyLoopModel();
    server = await startTestServer({ preload: true, modelsDirs: [path.dirname(dir)], limits: { socketRequestsPerSecond: 1e4, socketBurst: 1e4 } });
    await server.preloaded;
  });
  after(async () => {
    await server.close();
    removeDir(server.dir);
  });

  it('answers jam:start with the session and pushes the first loop for a bar line at least the lead time ahead', async () => {
    const socket = await connect(server.url);
    const first = nextEvent<JamNext>(socket, 'jam:next');
    const started = await request<JamState>(socket, 'jam:start', { tempo: 120, bars: 4, seed: 21, threshold: 0.3, transport: { bar: 2.5 } });
    assert.ok(started.ok, JSON.stringify(started));
    assert.equal(started.data.model, 'loops-tiny');
    assert.equal(started.data.seed, 21);
    const next = await first;
    assert.equal(next.sessionId, started.data.sessionId);
    assert.equal(next.sequence, 1);
    assert.equal(next.seed, 21);
    assert.ok(next.sentAtBar >= 2.5, `the server followed the client's clock: ${next.sentAtBar}`);
    assert.ok(Number.isInteger(next.forBar) && next.forBar - next.sentAtBar >= LEAD_SECONDS / 2 - 1e-9, `forBar ${next.forBar} sent at ${next.sentAtBar}`);
    assert.ok(Buffer.isBuffer(next.loop.midi));
    assert.equal(next.loop.roll.bars, 4);
    socket.close();
  });

  it('regenerates on jam:update, keeps locked tracks, and swaps on the loop cycle with swapAt "loop"', async () => {
    const socket = await connect(server.url);
    const pushes = collect(socket);
    await request(socket, 'jam:start', { tempo: 120, seed: 5, threshold: 0.05, transport: { bar: 0 } }); // low enough that the untrained tiny model plays the unlocked tracks
    const one = await nextEvent<JamNext>(socket, 'jam:next', (n) => n.sequence === 1);
    const updated = await request<JamState>(socket, 'jam:update', { seed: 6, locked: ['drums', 'bass'], transport: { bar: 5.5 } });
    assert.ok(updated.ok && updated.data.seed === 6 && updated.data.locked.join() === 'drums,bass');
    const two = await nextEvent<JamNext>(socket, 'jam:next', (n) => n.sequence === 2);
    assert.equal(two.seed, 6);
    assert.ok(two.sentAtBar >= 5.5 && two.forBar >= Math.ceil(two.sentAtBar + LEAD_SECONDS / 2 - 1e-9), `forBar ${two.forBar} sent at ${two.sentAtBar}`);
    assert.equal(notesOf(two.loop.roll, 'drums'), notesOf(one.loop.roll, 'drums'), 'drums kept');
    assert.equal(notesOf(two.loop.roll, 'bass'), notesOf(one.loop.roll, 'bass'), 'bass kept');
    assert.notEqual(JSON.stringify(two.loop.roll), JSON.stringify(one.loop.roll), 'the rest is new');

    await request(socket, 'jam:update', { swapAt: 'loop', locked: [], regenerate: true, transport: { bar: two.forBar + 1.3 } });
    const three = await nextEvent<JamNext>(socket, 'jam:next', (n) => n.sequence === 3);
    assert.notEqual(three.seed, 6, 'regenerate picks a new seed');
    assert.equal((three.forBar - two.forBar) % 4, 0, `on the cycle of the loop that started at ${two.forBar}: ${three.forBar}`);
    assert.ok(three.forBar >= three.sentAtBar + LEAD_SECONDS / 2 - 1e-9);
    assert.deepEqual(pushes.map((p) => p.sequence), [1, 2, 3]);
    socket.close();
  });

  it('coalesces a burst of updates: the newest controls win and stale loops are never pushed', async () => {
    const socket = await connect(server.url);
    const pushes = collect(socket);
    await request(socket, 'jam:start', { tempo: 100, seed: 1, transport: { bar: 0 } });
    await nextEvent<JamNext>(socket, 'jam:next', (n) => n.sequence === 1);
    const acks = await Promise.all([11, 12, 13, 14, 15].map((seed) => request<JamState>(socket, 'jam:update', { seed })));
    assert.ok(acks.every((a) => a.ok));
    await nextEvent<JamNext>(socket, 'jam:next', (n) => n.seed === 15);
    await new Promise((r) => setTimeout(r, 300));
    const seeds = pushes.map((p) => p.seed);
    assert.equal(seeds.at(-1), 15);
    assert.ok(seeds.length <= 3, `pushed ${seeds.join(',')}`);
    assert.ok(!seeds.some((s) => s === 13 || s === 14), `no stale loop: ${seeds.join(',')}`);
    socket.close();
  });

  it('with evolve, pushes the next variation for the end of each cycle before it comes; jam:stop ends the pushes', async () => {
    const socket = await connect(server.url);
    // 300 BPM: a bar is 0.8 s, a 4-bar cycle 3.2 s.
    await request(socket, 'jam:start', { tempo: 300, seed: 40, evolve: true, transport: { bar: 0 } });
    const one = await nextEvent<JamNext>(socket, 'jam:next', (n) => n.sequence === 1);
    const two = await nextEvent<JamNext>(socket, 'jam:next', (n) => n.sequence === 2, 20_000);
    assert.equal(two.seed, 41);
    assert.equal(two.forBar, one.forBar + 4, 'the variation starts where the first loop ends');
    assert.ok(two.sentAtBar < two.forBar, `sent at bar ${two.sentAtBar}, ahead of bar ${two.forBar}`);
    const stopped = await request(socket, 'jam:stop', {});
    assert.deepEqual(stopped, { ok: true, data: null });
    const late: JamNext[] = collect(socket);
    await new Promise((r) => setTimeout(r, 4000));
    assert.deepEqual(late, [], 'no pushes after jam:stop');
    socket.close();
  });

  it('refuses jam:update without a session, unknown models and malformed controls', async () => {
    const socket = await connect(server.url);
    const early = await request(socket, 'jam:update', { seed: 1 });
    assert.ok(!early.ok && early.error.code === 'CONFLICT');
    const unknown = await request(socket, 'jam:start', { model: 'nope' });
    assert.ok(!unknown.ok && unknown.error.code === 'NOT_FOUND');
    const bad = await request(socket, 'jam:start', { tempo: 1000, locked: ['kazoo'] });
    assert.ok(!bad.ok && bad.error.code === 'BAD_INPUT' && /tempo/.test(bad.error.message) && /locked/.test(bad.error.message));
    socket.close();
  });
});
