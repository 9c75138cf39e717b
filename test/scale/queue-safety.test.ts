import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import type { JobView } from '../../server/protocol.js';
import { ioredisOptions, parseRedisUrl } from '../../server/scale/redis-url.js';
import { runStudio } from '../helpers/cli.js';
import { getJson, postJson, startTestServer, type TestServer } from '../api/helpers.js';
import { waitFor } from '../jobs/helpers.js';
import { startRedis, type RedisProcess } from './redis-server.js';
import { startScriptedWorker, type StudioProcess } from './cluster.js';

const PASSWORD = 'p4ss-w0rd-never-logged';

// A password-protected Redis that keeps its data on disk (append-only file), one in-process server, scripted workers.
describe('scale: poisoned jobs, crashes, Redis restarts, passwords', function () {
  this.timeout(120_000);
  let redis: RedisProcess;
  let root: string;
  let server: TestServer;
  const workers: StudioProcess[] = [];
  const logged: string[] = [];
  const originalError = console.error;

  const startWorker = () =>
    startScriptedWorker(
      {
        redisUrl: redis.url,
        directories: { modelsDir: path.join(root, 'models'), audioDataDir: path.join(root, 'audio'), midiDataDir: path.join(root, 'midi'), exportsDir: path.join(root, 'exports') },
        lockDurationMs: 4000,
        stalledIntervalMs: 1500,
      },
      { SCRIPTED_STEP_MS: '20' },
    ).then((w) => (workers.push(w), w));

  before(async () => {
    redis = await startRedis({ appendOnly: true, password: PASSWORD });
    root = mkdtempSync(path.join(tmpdir(), 'studio-scale-'));
    // Everything the server logs is kept, to check that the password never shows.
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    server = await startTestServer({ dir: root, preload: false, redis: { url: redis.url, retry: { backoffMs: 200 } } });
  });

  after(async () => {
    console.error = originalError;
    await server?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it('a poisoned job (options that do not validate) fails once with a clear error instead of looping', async () => {
    await startWorker();
    // Put on the queue by something other than this server (an old client, a script): the worker validates too.
    const queue = new Queue('train', { connection: ioredisOptions(parseRedisUrl(redis.url), false), prefix: 'studio' });
    try {
      await queue.add('train-notes', { request: { type: 'train-notes', options: { model: '../../etc', steps: -3 } }, output: {}, createdAt: new Date().toISOString() }, {
        jobId: 'poison-1', attempts: 5, backoff: { type: 'fixed', delay: 100 },
      });
      const failed = await waitFor(async () => {
        const view = (await getJson(`${server.url}/api/jobs/poison-1`)).body as JobView;
        return view.state === 'failed' ? view : null;
      }, 'the poisoned job to fail', 30_000);
      assert.equal(failed.error?.code, 'BAD_INPUT', failed.error?.message);
      assert.match(failed.error!.message, /^bad job request: options\.model: .*folder name/);
      assert.match(failed.error!.message, /options\.steps/);
      await new Promise((r) => setTimeout(r, 1000));
      const later = (await getJson(`${server.url}/api/jobs/poison-1`)).body as JobView;
      assert.equal(later.state, 'failed');
      assert.equal(later.attempts, 1, 'not retried');
      const job = await queue.getJob('poison-1');
      assert.equal(job?.attemptsMade, 1);
    } finally {
      await queue.close();
    }
  });

  it('jobs waiting while Redis restarts are all there afterwards and all run', async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    const ids: string[] = [];
    for (const model of ['wait-a', 'wait-b', 'wait-c']) {
      const res = await postJson(`${server.url}/api/jobs`, { type: 'train-notes', options: { model, preset: 'tiny', steps: 10 } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push(res.body.id);
    }
    const render = await postJson(`${server.url}/api/jobs`, { type: 'render-loops', options: { model: 'loops-x', count: 2 } });
    assert.equal(render.status, 201, JSON.stringify(render.body));
    ids.push(render.body.id);
    await redis.restart();
    // The server reconnects by itself.
    const listed = await waitFor(async () => {
      const res = await getJson(`${server.url}/api/jobs`).catch(() => null);
      return res?.status === 200 ? (res.body as JobView[]) : null;
    }, 'the job list after the restart', 30_000);
    for (const id of ids) assert.equal(listed.find((j) => j.id === id)?.state, 'queued', `job ${id} survived the restart`);
    await startWorker();
    await waitFor(async () => {
      const views = (await getJson(`${server.url}/api/jobs`)).body as JobView[];
      return ids.every((id) => views.find((j) => j.id === id)?.state === 'succeeded');
    }, 'every job to run after the restart', 60_000);
  });

  it('a run that crashes is retried with backoff and resumes from its checkpoint', async () => {
    if (workers.length === 0) await startWorker();
    const res = await postJson(`${server.url}/api/jobs`, { type: 'train-notes', options: { model: 'crash-once', preset: 'tiny', steps: 300 } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = res.body.id as string;
    const queue = new Queue('train', { connection: ioredisOptions(parseRedisUrl(redis.url), false), prefix: 'studio' });
    try {
      const job = await queue.getJob(id);
      assert.equal(job?.opts.attempts, 3);
      assert.deepEqual(job?.opts.backoff, { type: 'exponential', delay: 200 });
      // Past the checkpoint at step 10, kill the job's own process (not its worker): a crash of the run.
      const childPid = await waitFor(async () => {
        const progress = (await queue.getJob(id))?.progress as { childPid?: number; progress?: { done: number } } | undefined;
        return progress?.childPid && (progress.progress?.done ?? 0) >= 12 ? progress.childPid : null;
      }, 'the first run to pass step 12', 30_000);
      process.kill(-childPid, 'SIGKILL');
      const done = await waitFor(async () => {
        const view = (await getJson(`${server.url}/api/jobs/${id}`)).body as JobView;
        return view.state === 'succeeded' || view.state === 'failed' ? view : null;
      }, 'the retried job to end', 60_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.attempts, 2);
      const resumedAt = Number(done.logTail.find((l) => l.startsWith('resumed at step'))?.split(' ').pop());
      assert.ok(resumedAt >= 10, `resumed from the checkpoint: ${done.logTail.join('\n')}`);
      const log = await fetch(`${server.url}/api/jobs/${id}/log`).then((r) => r.text());
      assert.match(log, /== run 1 [\s\S]*== exit code - signal SIGKILL[\s\S]*== run 2 [\s\S]*--resume/);
      assert.equal((await queue.getJob(id))?.attemptsMade, 2, 'the crash used an attempt');
    } finally {
      await queue.close();
    }
  });

  it('never prints the Redis password; a wrong one fails fast with the URL redacted', async () => {
    for (const line of logged) assert.ok(!line.includes(PASSWORD), `logged: ${line}`);
    const wrong = redis.url.replace(encodeURIComponent(PASSWORD), 'wrong-secret-123');
    const result = await runStudio(['worker', '--redis', wrong], { timeoutMs: 60_000 });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
    assert.ok(!result.stderr.includes('wrong-secret-123') && !result.stdout.includes('wrong-secret-123'), result.stderr);
    const serve = await runStudio(['serve', '--port', '0', '--redis', wrong], { timeoutMs: 60_000, env: { STUDIO_MODELS_DIR: path.join(root, 'models') } });
    assert.notEqual(serve.code, 0);
    assert.match(serve.stderr, /cannot reach Redis at redis:\/\/:\*\*\*@/);
    assert.ok(!serve.stderr.includes('wrong-secret-123') && !serve.stdout.includes('wrong-secret-123'), serve.stderr);
  });
});
