import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import type { JobView } from '../../server/protocol.js';
import { ioredisOptions, parseRedisUrl } from '../../server/scale/redis-url.js';
import { connect, getJson, nextEvent, postJson, request, type ClientSocket } from '../api/helpers.js';
import { startRedis, type RedisProcess } from './redis-server.js';
import { startScriptedWorker, startServerProcess, type ClusterDirs, type StudioProcess } from './cluster.js';

// Two `studio serve --redis` processes and two workers, all separate processes on loopback, one real Redis.
describe('scale: two servers and two workers on BullMQ', function () {
  this.timeout(150_000);
  let redis: RedisProcess;
  let root: string;
  let dirs: ClusterDirs;
  let servers: (StudioProcess & { url: string })[] = [];
  let workers: (StudioProcess & { name: string })[] = [];
  let socket: ClientSocket | null = null;
  let workerOptions: Parameters<typeof startScriptedWorker>[0];

  before(async () => {
    redis = await startRedis();
    root = mkdtempSync(path.join(tmpdir(), 'studio-scale-'));
    dirs = { modelsDir: path.join(root, 'models'), exportsDir: path.join(root, 'exports'), stateDir: path.join(root, 'state') };
    servers = await Promise.all([startServerProcess(redis.url, dirs), startServerProcess(redis.url, dirs)]);
    workerOptions = {
      redisUrl: redis.url,
      directories: { modelsDir: dirs.modelsDir, audioDataDir: path.join(root, 'audio'), midiDataDir: path.join(root, 'midi'), exportsDir: dirs.exportsDir },
      // Short lock and stall intervals (options, not sleeps) so a dead worker's job moves within seconds.
      lockDurationMs: 4000,
      stalledIntervalMs: 1500,
      progressEveryMs: 100,
    };
    workers = await Promise.all([0, 1].map(() => startScriptedWorker(workerOptions, { SCRIPTED_STEP_MS: '150' })));
  });

  after(async () => {
    socket?.close();
    await Promise.all([...servers, ...workers].map((p) => p.stop()));
    await redis.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it('a worker SIGKILLed mid-training: the job completes on the other worker, resumed from its checkpoint', async () => {
    const [a, b] = servers as [StudioProcess & { url: string }, StudioProcess & { url: string }];
    // Submitted through one instance, watched through the other.
    socket = await connect(b.url);
    const submitted = await postJson(`${a.url}/api/jobs`, { type: 'train-notes', options: { model: 'shared-model', preset: 'tiny', steps: 40 } });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const id = submitted.body.id as string;
    assert.equal(submitted.body.state, 'queued');
    const subscribed = await request<JobView>(socket, 'job:subscribe', { id });
    assert.ok(subscribed.ok, JSON.stringify(subscribed));

    const midway = await nextEvent<JobView>(socket, 'job:progress', (j) => j.id === id && (j.progress?.done ?? 0) >= 12, 60_000);
    assert.equal(midway.state, 'running');
    assert.ok(midway.losses.d_loss !== undefined, `losses relayed: ${JSON.stringify(midway.losses)}`);
    const victim = workers.find((w) => w.name === midway.worker);
    assert.ok(victim, `the job names its worker: ${midway.worker} (workers ${workers.map((w) => w.name).join(', ')})`);
    const survivor = workers.find((w) => w !== victim)!;
    const stepAtKill = midway.progress!.done;
    victim.child.kill('SIGKILL');

    const done = await nextEvent<JobView>(socket, 'job:done', (j) => j.id === id, 90_000);
    assert.equal(done.state, 'succeeded');
    assert.equal(done.worker, survivor.name, 'finished by the other worker');
    assert.equal(done.attempts, 2, 'one more run after the stall');
    assert.equal(done.progress?.done, 40);
    const resumedLine = done.logTail.find((l) => l.startsWith('resumed at step'));
    assert.ok(resumedLine, `the second run resumed: ${done.logTail.join('\n')}`);
    const resumedAt = Number(resumedLine.split(' ').pop());
    // The dying worker's job checkpointed on its lifeline (or at its last 5-step checkpoint): no restart from 0.
    assert.ok(resumedAt >= 10 && resumedAt <= stepAtKill + 3, `resumed at ${resumedAt}, killed at ${stepAtKill}`);
    assert.deepEqual(readdirSync(dirs.modelsDir).filter((n) => !n.startsWith('.')), ['shared-model'], 'one model folder');
    assert.equal(JSON.parse(readFileSync(path.join(dirs.modelsDir, 'shared-model', 'model.json'), 'utf8')).step, 40);

    // Both instances agree, and the log tells the story through either.
    const viaA = await getJson(`${a.url}/api/jobs/${id}`);
    assert.equal(viaA.body.state, 'succeeded');
    const log = await fetch(`${a.url}/api/jobs/${id}/log`).then((r) => r.text());
    assert.match(log, /== run 1 on [\s\S]*== run 2 on [\s\S]*--resume/);
    const health = await getJson(`${b.url}/api/health`);
    assert.equal(health.body.jobs.mode, 'redis');
  });

  it('cancel stops a running job on its worker (checkpoint kept); resume continues it through the other instance', async () => {
    const [a, b] = servers as [StudioProcess & { url: string }, StudioProcess & { url: string }];
    socket ??= await connect(b.url);
    const submitted = await postJson(`${a.url}/api/jobs`, { type: 'train-loops', options: { model: 'cancel-me', preset: 'tiny', steps: 400 } });
    const id = submitted.body.id as string;
    await request(socket, 'job:subscribe', { id });
    await nextEvent<JobView>(socket, 'job:progress', (j) => j.id === id && (j.progress?.done ?? 0) >= 3, 60_000);
    const failed = nextEvent<JobView>(socket, 'job:failed', (j) => j.id === id, 60_000);
    const cancel = await getJson(`${a.url}/api/jobs/${id}`, { method: 'DELETE' });
    assert.ok(cancel.status === 202 || cancel.status === 200, JSON.stringify(cancel.body));
    const ended = await failed;
    assert.equal(ended.state, 'cancelled');
    assert.equal(ended.resumable, true);
    const stoppedAt = JSON.parse(readFileSync(path.join(dirs.modelsDir, 'cancel-me', 'model.json'), 'utf8')).step as number;
    assert.ok(stoppedAt >= 3, `checkpointed on SIGTERM at ${stoppedAt}`);

    const resumed = await request<JobView>(socket, 'job:resume', { id });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    const running = await nextEvent<JobView>(socket, 'job:progress', (j) => j.id === id && j.state === 'running' && j.logTail.some((l) => l.startsWith('resumed at step')), 60_000);
    assert.ok(running.progress!.done >= stoppedAt);
    const again = nextEvent<JobView>(socket, 'job:failed', (j) => j.id === id, 60_000);
    await request(socket, 'job:cancel', { id });
    assert.equal((await again).state, 'cancelled');
  });

  it('a worker stopped with SIGTERM puts its job back without failing it; another worker resumes it', async () => {
    const [a, b] = servers as [StudioProcess & { url: string }, StudioProcess & { url: string }];
    workers.push(await startScriptedWorker(workerOptions, { SCRIPTED_STEP_MS: '150' }));
    socket ??= await connect(b.url);
    const submitted = await postJson(`${a.url}/api/jobs`, { type: 'train-notes', options: { model: 'handed-over', preset: 'tiny', steps: 30 } });
    const id = submitted.body.id as string;
    await request(socket, 'job:subscribe', { id });
    const midway = await nextEvent<JobView>(socket, 'job:progress', (j) => j.id === id && (j.progress?.done ?? 0) >= 6, 60_000);
    const leaving = workers.find((w) => w.name === midway.worker && w.child.exitCode === null)!;
    assert.ok(leaving, `running on a live worker: ${midway.worker}`);
    const done = nextEvent<JobView>(socket, 'job:done', (j) => j.id === id, 90_000);
    await leaving.stop();
    assert.equal(leaving.child.exitCode, 0, leaving.output().slice(-2000));
    const finished = await done;
    assert.notEqual(finished.worker, leaving.name);
    assert.ok(finished.logTail.some((l) => /^resumed at step ([6-9]|[12]\d)$/.test(l)), finished.logTail.join('\n'));
    assert.equal(finished.error, null);
    assert.equal(finished.attempts, 2, 'two runs started');
    assert.match(leaving.output(), new RegExp(`job ${id} \\(train-notes\\) run 1`));
    assert.doesNotMatch(leaving.output(), new RegExp(`job ${id} failed`), 'the stopped run is not a failure');
    // BullMQ counts attempts made on a run's end: only the finishing run, the handed-over one used none.
    const queue = new Queue('train', { connection: ioredisOptions(parseRedisUrl(redis.url), false), prefix: 'studio' });
    try {
      assert.equal((await queue.getJob(id))?.attemptsMade, 1);
    } finally {
      await queue.close();
    }
  });
});
