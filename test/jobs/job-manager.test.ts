import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { JobManager, type JobManagerOptions, type JobUpdateKind } from '../../server/jobs/job-manager.js';
import { JOB_ID_ENV } from '../../server/jobs/job-process.js';
import { newJobRecord } from '../../server/jobs/job-record.js';
import { PROGRESS_FD_ENV } from '../../server/util/progress.js';
import type { JobView } from '../../server/protocol.js';
import { useTempDir } from '../helpers/tmp.js';
import { SCRIPTED_LAUNCHER, waitFor } from './helpers.js';

describe('jobs: queue of CLI child processes', () => {
  const managers: JobManager[] = [];
  // Before useTempDir's own afterEach, so managers stop before their folder goes.
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
  });
  const tmp = useTempDir();

  async function open(extra: Partial<JobManagerOptions> = {}): Promise<JobManager> {
    const manager = await JobManager.open({
      stateDir: path.join(tmp(), 'state'),
      directories: { modelsDir: path.join(tmp(), 'models'), audioDataDir: path.join(tmp(), 'audio'), midiDataDir: path.join(tmp(), 'midi') },
      launcher: SCRIPTED_LAUNCHER,
      cancelGraceMs: 5000,
      ...extra,
    });
    managers.push(manager);
    return manager;
  }

  function record(manager: JobManager): { kind: JobUpdateKind; job: JobView }[] {
    const seen: { kind: JobUpdateKind; job: JobView }[] = [];
    manager.on('update', (job, kind) => seen.push({ kind, job }));
    return seen;
  }

  it('runs a training job with the right command line and streams its progress, losses and ETA', async () => {
    const manager = await open();
    const seen = record(manager);
    const job = await manager.submit({ type: 'train-notes', options: { model: 'm1', preset: 'tiny', steps: 20 } });
    assert.equal(job.state, 'running', 'nothing else ran, so it started at once');
    assert.deepEqual(job.output, { model: 'm1' });
    const done = await waitFor(() => seen.find((s) => s.kind === 'done')?.job, 'job:done');
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(done.progress, { done: 20, total: 20, phase: 'training', info: { d_loss: 1 / 20, g_loss: 2, diversity: 'ok' } });
    assert.deepEqual(done.losses, { d_loss: 0.05, g_loss: 2 });
    assert.equal(done.lossHistory.length, 20);
    assert.deepEqual(done.lossHistory[0], { step: 1, d_loss: 1, g_loss: 0.1 });
    const progress = seen.filter((s) => s.kind === 'progress').map((s) => s.job);
    assert.ok(progress.length >= 10, `${progress.length} progress updates`);
    const mid = progress.find((p) => p.progress!.done === 10)!;
    assert.ok(mid.rate! > 0 && mid.etaSeconds !== null && mid.etaSeconds >= 0, `rate ${mid.rate} eta ${mid.etaSeconds}`);
    assert.ok(done.logTail.includes('nice 10'), 'the job runs below the server\'s priority');
    const argvLine = done.logTail.find((l) => l.startsWith('argv '))!;
    assert.deepEqual(JSON.parse(argvLine.slice(5)), ['train', 'notes', '--out', path.join(tmp(), 'models', 'm1'), '--preset', 'tiny', '--steps', '20']);
    assert.deepEqual(done.previews, ['step-5', 'step-10', 'step-15', 'step-20'].map((s) => `/api/models/m1/previews/${s}.txt`));
    const saved = JSON.parse(readFileSync(path.join(tmp(), 'state', `${job.id}.json`), 'utf8'));
    assert.equal(saved.state, 'succeeded');
    assert.match(readFileSync(manager.logPath(job.id), 'utf8'), /== run 1 .*studio train notes[\s\S]*done\n== exit code 0/);
  });

  it('runs one job at a time, in the order they were submitted', async () => {
    const manager = await open({ env: { SCRIPTED_STEP_MS: '20' } });
    const a = await manager.submit({ type: 'train-loops', options: { model: 'a', preset: 'tiny', steps: 10 } });
    const b = await manager.submit({ type: 'data-notes', options: { out: 'set1' } });
    const c = await manager.submit({ type: 'data-loops', options: { from: '/tmp', minTracks: 2 } });
    assert.equal(manager.get(a.id).state, 'running');
    assert.equal(manager.get(b.id).state, 'queued');
    assert.equal(manager.get(c.id).state, 'queued');
    await waitFor(() => [a, b, c].every((j) => manager.get(j.id).state === 'succeeded'), 'three jobs');
    const [ja, jb, jc] = [a, b, c].map((j) => manager.get(j.id));
    assert.ok(jb!.startedAt! >= ja!.finishedAt! && jc!.startedAt! >= jb!.finishedAt!, 'started after the previous one finished');
    assert.deepEqual(JSON.parse(jb!.logTail.find((l) => l.startsWith('argv '))!.slice(5)), ['data', 'notes', '--out', path.join(tmp(), 'audio', 'set1')]);
    assert.deepEqual(JSON.parse(jc!.logTail.find((l) => l.startsWith('argv '))!.slice(5)), ['data', 'loops', '--from', '/tmp', '--min-tracks', '2']);
  });

  it('cancels with SIGTERM (the job checkpoints) and resumes training from the checkpoint with --resume', async () => {
    const manager = await open({ env: { SCRIPTED_STEP_MS: '40' } });
    const seen = record(manager);
    const job = await manager.submit({ type: 'train-notes', options: { model: 'm2', preset: 'tiny', steps: 400 } });
    await waitFor(() => (manager.get(job.id).progress?.done ?? 0) >= 8, 'some progress');
    await manager.cancel(job.id);
    const failed = await waitFor(() => seen.find((s) => s.kind === 'failed')?.job, 'job:failed');
    assert.equal(failed.state, 'cancelled');
    assert.equal(failed.resumable, true);
    const stoppedAt = JSON.parse(readFileSync(path.join(tmp(), 'models', 'm2', 'model.json'), 'utf8')).step as number;
    assert.ok(stoppedAt >= 8, `checkpoint at ${stoppedAt}`);
    assert.ok(failed.logTail.some((l) => l === `checkpointed at step ${stoppedAt} on SIGTERM`));

    await manager.resume(job.id);
    await waitFor(() => manager.get(job.id).logTail.some((l) => l.startsWith('resumed at step')), 'the resumed run');
    const resumed = manager.get(job.id);
    assert.equal(resumed.attempts, 2);
    assert.ok(resumed.logTail.includes(`resumed at step ${stoppedAt}`));
    assert.ok(resumed.logTail.some((l) => l.startsWith('argv ') && l.includes('"--resume"')));
    await manager.cancel(job.id);
    await waitFor(() => manager.get(job.id).state === 'cancelled', 'second cancel');
  });

  it('kills a job that ignores SIGTERM after the grace time, and cancels queued jobs without running them', async () => {
    const manager = await open({ cancelGraceMs: 300, env: { SCRIPTED_IGNORE_TERM: '1', SCRIPTED_STEP_MS: '30' } });
    const stubborn = await manager.submit({ type: 'train-notes', options: { model: 'm3', preset: 'tiny', steps: 1000 } });
    const waiting = await manager.submit({ type: 'data-notes', options: {} });
    await waitFor(() => manager.get(stubborn.id).progress, 'progress');
    const queuedCancel = await manager.cancel(waiting.id);
    assert.equal(queuedCancel.state, 'cancelled');
    assert.equal(queuedCancel.attempts, 0);
    const t0 = Date.now();
    await manager.cancel(stubborn.id);
    await waitFor(() => manager.get(stubborn.id).state === 'cancelled', 'SIGKILL');
    assert.ok(Date.now() - t0 >= 250, 'waited for the grace time');
    await assert.rejects(manager.cancel(stubborn.id), /already ended/);
  });

  it('reports a failed run with the message the CLI printed', async () => {
    const manager = await open({ env: { SCRIPTED_FAIL: 'no dataset at audio-data/nsynth' } });
    const job = await manager.submit({ type: 'train-notes', options: { model: 'm4', preset: 'tiny' } });
    await waitFor(() => manager.get(job.id).state === 'failed', 'failure');
    assert.deepEqual(manager.get(job.id).error, { code: 'INTERNAL', message: 'no dataset at audio-data/nsynth (exited with code 2)' });
    assert.equal(manager.get(job.id).resumable, true);
  });

  it('refuses a second job writing the same model, and a taken model id without resume', async () => {
    const manager = await open({ env: { SCRIPTED_STEP_MS: '30' } });
    const job = await manager.submit({ type: 'train-notes', options: { model: 'same', preset: 'tiny', steps: 200 } });
    await waitFor(() => (manager.get(job.id).progress?.done ?? 0) >= 5, 'a first checkpoint');
    await assert.rejects(manager.submit({ type: 'train-loops', options: { model: 'same', preset: 'tiny' } }), /already writes same/);
    await manager.cancel(job.id);
    await waitFor(() => manager.get(job.id).state === 'cancelled', 'cancel');
    await assert.rejects(manager.submit({ type: 'train-notes', options: { model: 'same', preset: 'tiny' } }), /already exists/);
    const more = await manager.submit({ type: 'train-notes', options: { model: 'same', preset: 'tiny', steps: 3, resume: true } });
    await waitFor(() => manager.get(more.id).state === 'succeeded', 'continued training');
    assert.ok(manager.get(more.id).logTail.some((l) => l.startsWith('resumed at step')));
  });

  it('after a restart shows a job that was running as interrupted and resumable, and keeps queued jobs queued', async () => {
    const first = await open({ env: { SCRIPTED_STEP_MS: '40' } });
    const running = await first.submit({ type: 'train-notes', options: { model: 'r1', preset: 'tiny', steps: 400 } });
    const queued = await first.submit({ type: 'data-notes', options: {} });
    await waitFor(() => (first.get(running.id).progress?.done ?? 0) >= 6, 'progress');
    await first.close();
    managers.splice(managers.indexOf(first), 1);
    assert.equal(first.get(running.id).state, 'interrupted');

    const second = await open({ env: { SCRIPTED_STEP_MS: '40' } });
    const interrupted = second.get(running.id);
    assert.equal(interrupted.state, 'interrupted');
    assert.equal(interrupted.resumable, true);
    assert.ok(interrupted.progress!.done >= 6);
    // The queued job starts now that nothing else runs.
    await waitFor(() => second.get(queued.id).state === 'succeeded', 'the queued job');
    await second.resume(running.id);
    await waitFor(() => second.get(running.id).logTail.some((l) => l.startsWith('resumed at step')), 'resumed run');
  });

  it('after a crash stops the orphaned job process (it checkpoints) and marks the job interrupted', async () => {
    const stateDir = path.join(tmp(), 'state');
    const modelDir = path.join(tmp(), 'models', 'orphan');
    mkdirSync(stateDir, { recursive: true });
    const record = newJobRecord('train-notes', { model: 'orphan', preset: 'tiny', steps: 1000 }, { model: 'orphan' });
    // What a killed server leaves behind: its job still running, and the job file saying "running" with the pid.
    const orphan = spawn(SCRIPTED_LAUNCHER[0]!, [...SCRIPTED_LAUNCHER.slice(1), 'train', 'notes', '--out', modelDir, '--steps', '1000'], {
      env: { ...process.env, [JOB_ID_ENV]: record.id, SCRIPTED_STEP_MS: '20', [PROGRESS_FD_ENV]: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    orphan.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => orphan.on('close', (code) => resolve(code)));
    await waitFor(() => existsSync(path.join(modelDir, 'model.json')), 'the orphan to checkpoint once');
    Object.assign(record, { state: 'running', attempts: 1, pid: orphan.pid, startedAt: new Date().toISOString() });
    writeFileSync(path.join(stateDir, `${record.id}.json`), JSON.stringify(record));
    writeFileSync(path.join(stateDir, 'garbage.json'), '{ not json');

    const manager = await open();
    const job = manager.get(record.id);
    assert.equal(job.state, 'interrupted');
    assert.equal(job.resumable, true);
    assert.equal(await exited, 0, 'the orphan exited cleanly after SIGTERM');
    assert.match(stderr, /checkpointed at step \d+ on SIGTERM/);
    assert.deepEqual(manager.loadProblems.map((p) => path.basename(p.path)), ['garbage.json']);
    assert.match(manager.loadProblems[0]!.message, /is not valid JSON/);
  });
});
