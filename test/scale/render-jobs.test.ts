import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import type { JamNext, JobView } from '../../server/protocol.js';
import { jobRoom } from '../../server/api/socket-handlers.js';
import { connect, getJson, nextEvent, postJson, request, startTestServer, type TestServer } from '../api/helpers.js';
import { sharedTinyLoopModel } from '../api/loop-fixture.js';
import { tinyNoteModel } from '../client/browser/fixtures.js';
import { waitFor } from '../jobs/helpers.js';
import { startRedis, type RedisProcess } from './redis-server.js';
import { startStudioWorker, type StudioProcess } from './cluster.js';

async function finished(server: TestServer, id: string, timeoutMs = 120_000): Promise<JobView> {
  return waitFor(async () => {
    const view = (await getJson(`${server.url}/api/jobs/${id}`)).body as JobView;
    return view.state === 'queued' || view.state === 'running' ? null : view;
  }, `job ${id} to end`, timeoutMs);
}

async function download(url: string, type: string): Promise<Uint8Array> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url}: ${res.status}`);
  assert.equal(res.headers.get('content-type'), type);
  return new Uint8Array(await res.arrayBuffer());
}

// Real renders through the real CLI: a 5-note instrument from the tiny note model, a batch of loops from the tiny
// loop model; in one-machine mode, and through `studio worker` in Redis mode.
describe('scale: render jobs (instruments, loop batches) in both modes', function () {
  this.timeout(300_000);
  let root: string;
  let modelsDir: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'studio-render-'));
    modelsDir = path.join(root, 'models');
    cpSync(await tinyNoteModel(), path.join(modelsDir, 'notes-tiny'), { recursive: true });
    cpSync(await sharedTinyLoopModel(), path.join(modelsDir, 'loops-tiny'), { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('one machine: render-instrument and render-loops jobs write export folders the server serves', async () => {
    const server = await startTestServer({ dir: path.join(root, 'local'), modelsDirs: [modelsDir], exportsDir: path.join(root, 'local-exports'), preload: false, jobs: { niceness: 0 } });
    try {
      const instrument = await postJson(`${server.url}/api/jobs`, { type: 'render-instrument', options: { model: 'notes-tiny', seed: 3, pitchRange: { min: 60, max: 64 }, format: 'wav16' } });
      assert.equal(instrument.status, 201, JSON.stringify(instrument.body));
      assert.deepEqual(instrument.body.output, { export: 'notes-tiny-seed3' });
      const loops = await postJson(`${server.url}/api/jobs`, { type: 'render-loops', options: { model: 'loops-tiny', count: 3, firstSeed: 7, bars: 2 } });
      assert.equal(loops.status, 201, JSON.stringify(loops.body));
      const a = await finished(server, instrument.body.id);
      assert.equal(a.state, 'succeeded', a.logTail.join('\n'));
      const zip = unzipSync(await download(`${server.url}/api/exports/notes-tiny-seed3/notes-tiny-seed3.zip`, 'application/zip'));
      const names = Object.keys(zip);
      assert.equal(names.filter((n) => n.endsWith('.wav')).length, 5, names.join(', '));
      assert.ok(names.some((n) => n.endsWith('.sfz')));
      const b = await finished(server, loops.body.id);
      assert.equal(b.state, 'succeeded', b.logTail.join('\n'));
      const batch = unzipSync(await download(`${server.url}/api/exports/loops-tiny-loops-seed7/loops-tiny-loops-seed7.zip`, 'application/zip'));
      assert.deepEqual(Object.keys(batch).filter((n) => n.endsWith('.mid')).sort(), [7, 8, 9].map((s) => `loops-tiny-loops-seed7/loops-tiny-loops-seed7-seed${s}.mid`));
      const midi = await download(`${server.url}/api/exports/loops-tiny-loops-seed7/loops-tiny-loops-seed7-seed8.mid`, 'audio/midi');
      assert.equal(new TextDecoder().decode(midi.subarray(0, 4)), 'MThd');
      for (const bad of ['..%2F..%2Fetc/passwd', 'notes-tiny-seed3/..%2F..%2Fmodels%2Fnotes-tiny%2Fspec.json', 'notes-tiny-seed3/.hidden', 'nope/x.wav']) {
        const status = (await fetch(`${server.url}/api/exports/${bad}`)).status;
        assert.ok(status === 404 || status === 400, `${bad}: ${status}`);
      }
      const taken = await postJson(`${server.url}/api/jobs`, { type: 'render-loops', options: { model: 'loops-tiny', count: 100, firstSeed: 7 } });
      assert.equal(taken.status, 201, 'the same export name may be rendered again once the first has ended');
      const clash = await postJson(`${server.url}/api/jobs`, { type: 'render-loops', options: { model: 'loops-tiny', count: 1, firstSeed: 7 } });
      assert.equal(clash.status, 409, 'but not while another job writes it');
      await getJson(`${server.url}/api/jobs/${taken.body.id}`, { method: 'DELETE' });
    } finally {
      await server.close();
    }
  });

  describe('Redis mode', () => {
    let redis: RedisProcess;
    let worker: StudioProcess;
    before(async () => {
      redis = await startRedis();
    });
    after(async () => {
      await worker?.stop();
      await redis.remove();
    });

    it('`studio worker --queues render` renders an instrument the server then serves', async () => {
      const exportsDir = path.join(root, 'shared-exports');
      const server = await startTestServer({ dir: path.join(root, 'redis'), modelsDirs: [modelsDir], exportsDir, preload: false, redis: { url: redis.url } });
      try {
        worker = await startStudioWorker(['--redis', redis.url, '--queues', 'render', '--models', modelsDir, '--exports', exportsDir]);
        const job = await postJson(`${server.url}/api/jobs`, { type: 'render-instrument', options: { model: 'notes-tiny', seed: 5, pitchRange: { min: 48, max: 50 }, name: 'keys' } });
        assert.equal(job.status, 201, JSON.stringify(job.body));
        const done = await finished(server, job.body.id);
        assert.equal(done.state, 'succeeded', `${done.error?.message}\n${done.logTail.join('\n')}\n${worker.output()}`);
        assert.match(done.worker ?? '', /:\d+$/);
        const zip = unzipSync(await download(`${server.url}/api/exports/keys/keys.zip`, 'application/zip'));
        assert.equal(Object.keys(zip).filter((n) => n.endsWith('.wav')).length, 3);
        // A train job waits: this worker takes render jobs only.
        const train = await postJson(`${server.url}/api/jobs`, { type: 'train-notes', options: { model: 'not-now', preset: 'tiny', steps: 2 } });
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal((await getJson(`${server.url}/api/jobs/${train.body.id}`)).body.state, 'queued');
        const cancelled = await getJson(`${server.url}/api/jobs/${train.body.id}`, { method: 'DELETE' });
        assert.equal(cancelled.body.state, 'cancelled');
        const listed = (await getJson(`${server.url}/api/jobs`)).body as JobView[];
        assert.equal(listed.find((j) => j.id === train.body.id)?.state, 'cancelled', 'a job cancelled while waiting stays listed');
      } finally {
        await server.close();
      }
    });

    it('a second instance shares socket.io rooms (redis-adapter); jam sessions run on the instance holding the socket', async () => {
      const one = await startTestServer({ dir: path.join(root, 'one'), modelsDirs: [modelsDir], preload: false, redis: { url: redis.url } });
      const two = await startTestServer({ dir: path.join(root, 'two'), modelsDirs: [modelsDir], preload: false, redis: { url: redis.url } });
      const socket = await connect(one.url);
      try {
        const job = await postJson(`${two.url}/api/jobs`, { type: 'render-loops', options: { model: 'loops-tiny', count: 1, firstSeed: 99 } });
        assert.ok((await request(socket, 'job:subscribe', { id: job.body.id })).ok);
        const seen = await two.io.in(jobRoom(job.body.id)).fetchSockets();
        assert.deepEqual(seen.map((s) => s.id), [socket.id], 'the other instance sees the subscriber');
        const next = nextEvent<JamNext>(socket, 'jam:next', () => true, 60_000);
        const jam = await request(socket, 'jam:start', { model: 'loops-tiny', bars: 1, tempo: 120, seed: 4, threshold: 0.2, transport: { bar: 0 } });
        assert.ok(jam.ok, JSON.stringify(jam));
        assert.equal((await next).loop.model, 'loops-tiny');
        await getJson(`${two.url}/api/jobs/${job.body.id}`, { method: 'DELETE' });
      } finally {
        socket.close();
        await Promise.all([one.close(), two.close()]);
      }
    });
  });
});
