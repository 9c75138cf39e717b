import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { JobView } from '../../server/protocol.js';
import { connect, getJson, nextEvent, postJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';

describe('api: real jobs (studio data notes, studio train notes) through the server', function () {
  this.timeout(300_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ preload: false, jobs: { cancelGraceMs: 60_000 } });
  });
  after(async () => {
    await server.close();
    removeDir(server.dir);
  });

  it('builds a dataset, trains on it with live progress, cancels (checkpoint kept), resumes, and serves the model', async () => {
    const socket = await connect(server.url);
    const data = await request<JobView>(socket, 'job:start', {
      type: 'data-notes',
      options: { out: 'tiny-set', font: 'FluidR3Mono', programs: [0, 73], pitches: { min: 55, max: 60 }, velocities: [100], seconds: 0.5 },
    });
    assert.ok(data.ok, JSON.stringify(data));
    const train = await postJson(`${server.url}/api/jobs`, { type: 'train-notes', options: { model: 'fresh', preset: 'tiny', data: 'tiny-set', steps: 100_000, checkpointEvery: 3 } });
    assert.equal(train.status, 201);
    assert.equal(train.body.state, 'queued', 'waits for the dataset job');
    const id = train.body.id as string;
    await request(socket, 'job:subscribe', { id: data.data.id });
    await request(socket, 'job:subscribe', { id });
    const built = await nextEvent<JobView>(socket, 'job:done', (j) => j.id === data.data.id, 200_000);
    assert.ok(existsSync(path.join(server.dir, 'audio-data', 'tiny-set')), `dataset written: ${built.logTail.join('\n')}`);

    const training = await nextEvent<JobView>(socket, 'job:progress', (j) => j.id === id && (j.progress?.done ?? 0) >= 4 && j.previews.length > 0, 200_000);
    assert.equal(training.state, 'running');
    assert.ok(Object.keys(training.losses).length >= 2, `losses: ${JSON.stringify(training.losses)} from ${JSON.stringify(training.progress)}`);
    assert.ok(training.lossHistory.length >= 2);
    const preview = await fetch(`${server.url}${training.previews.at(-1)}`);
    assert.equal(preview.status, 200);

    const cancelled = nextEvent<JobView>(socket, 'job:failed', (j) => j.id === id, 120_000);
    assert.equal((await getJson(`${server.url}/api/jobs/${id}`, { method: 'DELETE' })).status, 202);
    const ended = await cancelled;
    assert.equal(ended.state, 'cancelled');
    const models = await getJson(`${server.url}/api/models`);
    const checkpoint = models.body.find((m: { id: string }) => m.id === 'fresh');
    assert.ok(checkpoint && checkpoint.step >= 3, `checkpoint kept: ${JSON.stringify(models.body)}`);

    await request(socket, 'job:resume', { id });
    const resumed = await nextEvent<JobView>(socket, 'job:progress', (j) => j.id === id && j.attempts === 2 && j.progress?.phase === 'training', 200_000);
    assert.ok(resumed.progress!.done >= checkpoint.step, `resumed at ${resumed.progress!.done}, checkpoint at ${checkpoint.step}`);
    const stopped = nextEvent<JobView>(socket, 'job:failed', (j) => j.id === id, 120_000);
    await request(socket, 'job:cancel', { id });
    await stopped;

    const note = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fresh', pitch: 57, seed: 1 }) });
    assert.equal(note.status, 200);
    assert.equal(note.headers.get('content-type'), 'audio/wav');
    socket.close();
  });
});
