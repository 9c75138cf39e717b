import { strict as assert } from 'node:assert';
import type { JobView } from '../../server/protocol.js';
import { SCRIPTED_LAUNCHER, waitFor } from '../jobs/helpers.js';
import { connect, getJson, nextEvent, postJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';

describe('api: jobs over HTTP and socket.io', () => {
  let server: TestServer;
  const jobs = { launcher: SCRIPTED_LAUNCHER, env: { SCRIPTED_STEP_MS: '40' }, cancelGraceMs: 5000 };
  before(async () => {
    server = await startTestServer({ preload: false, jobs });
  });
  after(async () => {
    await server.close();
    removeDir(server.dir);
  });

  it('starts a training job, streams job:progress with losses, ETA and preview URLs, then job:done', async () => {
    const socket = await connect(server.url);
    const created = await postJson(`${server.url}/api/jobs`, { type: 'train-notes', options: { model: 'fresh', preset: 'tiny', steps: 30 } });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    assert.match(id, /^[a-z0-9]+-[0-9a-f]{6}$/);
    const progress: JobView[] = [];
    socket.on('job:progress', (job) => progress.push(job));
    const subscribed = await request<JobView>(socket, 'job:subscribe', { id });
    assert.equal(subscribed.ok && subscribed.data.id, id);
    const done = await nextEvent<JobView>(socket, 'job:done', (j) => j.id === id);
    assert.equal(done.state, 'succeeded');
    assert.ok(progress.length >= 3, `${progress.length} job:progress events`);
    const late = progress.find((p) => (p.progress?.done ?? 0) >= 10)!;
    assert.equal(late.progress!.total, 30);
    assert.ok(typeof late.losses.d_loss === 'number' && typeof late.losses.g_loss === 'number');
    assert.ok(late.etaSeconds !== null && late.etaSeconds >= 0);
    assert.ok(done.previews.length >= 6, done.previews.join());

    const preview = await fetch(`${server.url}${done.previews.at(-1)}`);
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await preview.text(), 'preview at 30\n');
    const listed = await getJson(`${server.url}/api/models`);
    assert.ok(listed.body.some((m: { id: string; step: number }) => m.id === 'fresh' && m.step === 30), 'the trained model is listed');
    const log = await fetch(`${server.url}/api/jobs/${id}/log`);
    assert.match(log.headers.get('content-type')!, /^text\/plain/);
    assert.match(await log.text(), /studio train notes --out .*fresh --preset tiny --steps 30/);
    socket.close();
  });

  it('cancels with DELETE (job:failed, state cancelled), resumes over the socket, and shows the same in GET /api/jobs', async () => {
    const socket = await connect(server.url);
    const started = await request<JobView>(socket, 'job:start', { type: 'train-loops', options: { model: 'long', preset: 'tiny', steps: 5000 } });
    assert.ok(started.ok);
    const id = started.data.id;
    await request(socket, 'job:subscribe', { id });
    await nextEvent<JobView>(socket, 'job:progress', (j) => (j.progress?.done ?? 0) >= 6);
    const failed = nextEvent<JobView>(socket, 'job:failed', (j) => j.id === id);
    const cancel = await getJson(`${server.url}/api/jobs/${id}`, { method: 'DELETE' });
    assert.equal(cancel.status, 202);
    const ended = await failed;
    assert.equal(ended.state, 'cancelled');
    assert.equal(ended.resumable, true);

    const resumed = await request<JobView>(socket, 'job:resume', { id });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    const again = await nextEvent<JobView>(socket, 'job:progress', (j) => j.id === id && j.state === 'running' && j.attempts === 2 && j.progress !== null);
    assert.ok(again.progress!.done > 6, `continued from the checkpoint at ${again.progress!.done}`);
    const list = await getJson(`${server.url}/api/jobs`);
    assert.equal(list.body.find((j: JobView) => j.id === id).state, 'running');
    const cancelAgain = await request<JobView>(socket, 'job:cancel', { id });
    assert.ok(cancelAgain.ok);
    await nextEvent<JobView>(socket, 'job:failed', (j) => j.id === id);
    const twice = await request(socket, 'job:cancel', { id });
    assert.ok(!twice.ok && twice.error.code === 'CONFLICT');
    socket.close();
  });

  it('after a server restart lists a job that was running as interrupted; resuming continues from its checkpoint', async () => {
    const first = await startTestServer({ preload: false, jobs });
    const created = await postJson(`${first.url}/api/jobs`, { type: 'train-notes', options: { model: 'restart', preset: 'tiny', steps: 5000 } });
    const id = created.body.id as string;
    await waitFor(async () => ((await getJson(`${first.url}/api/jobs/${id}`)).body.progress?.done ?? 0) >= 6, 'progress');
    await first.close();

    const second = await startTestServer({ preload: false, jobs, dir: first.dir });
    try {
      const shown = await getJson(`${second.url}/api/jobs/${id}`);
      assert.equal(shown.body.state, 'interrupted');
      assert.equal(shown.body.resumable, true);
      assert.equal(shown.body.error.code, 'UNAVAILABLE');
      const socket = await connect(second.url);
      const failedNow = nextEvent<JobView>(socket, 'job:failed', (j) => j.id === id);
      const sub = await request<JobView>(socket, 'job:subscribe', { id });
      assert.ok(sub.ok && sub.data.state === 'interrupted');
      assert.equal((await failedNow).state, 'interrupted', 'an ended job gets its final event at once');
      const resumed = await postJson(`${second.url}/api/jobs/${id}/resume`, {});
      assert.equal(resumed.status, 200);
      await waitFor(async () => (await getJson(`${second.url}/api/jobs/${id}`)).body.logTail.some((l: string) => /^resumed at step \d+$/.test(l)), 'the resumed run');
      socket.close();
    } finally {
      await second.close();
      removeDir(first.dir);
    }
  });
});
