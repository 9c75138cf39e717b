import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { JobView } from '../../server/protocol.js';
import { runStudio } from '../helpers/cli.js';
import { getJson, postJson } from '../api/helpers.js';
import { waitFor } from '../jobs/helpers.js';
import { startRedis, type RedisProcess } from './redis-server.js';
import { startScriptedWorker, startServerProcess, type StudioProcess } from './cluster.js';

const PASSWORD = 'tls-s3cret-never-logged';

// A Redis that speaks TLS only and wants a password, with a self-signed certificate for `localhost` that the
// processes trust through NODE_EXTRA_CA_CERTS (as a private CA would be trusted in production).
describe('scale: rediss:// (TLS) with a password', function () {
  this.timeout(150_000);
  let redis: RedisProcess;
  let root: string;
  let trust: NodeJS.ProcessEnv;
  const processes: StudioProcess[] = [];

  before(async () => {
    redis = await startRedis({ tls: true, password: PASSWORD });
    root = mkdtempSync(path.join(tmpdir(), 'studio-tls-'));
    trust = { NODE_EXTRA_CA_CERTS: redis.certFile };
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await redis.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it('a server and a worker run a job over rediss:// and never print the password', async () => {
    assert.match(redis.url, /^rediss:\/\/:.*@localhost:\d+$/);
    const dirs = { modelsDir: path.join(root, 'models'), exportsDir: path.join(root, 'exports'), stateDir: path.join(root, 'state') };
    const server = await startServerProcess(redis.url, dirs, trust);
    processes.push(server);
    const worker = await startScriptedWorker(
      { redisUrl: redis.url, directories: { modelsDir: dirs.modelsDir, audioDataDir: path.join(root, 'audio'), midiDataDir: path.join(root, 'midi'), exportsDir: dirs.exportsDir } },
      { ...trust, SCRIPTED_STEP_MS: '20' },
    );
    processes.push(worker);
    const job = await postJson(`${server.url}/api/jobs`, { type: 'train-notes', options: { model: 'over-tls', preset: 'tiny', steps: 10 } });
    assert.equal(job.status, 201, JSON.stringify(job.body));
    const done = await waitFor(async () => {
      const view = (await getJson(`${server.url}/api/jobs/${job.body.id}`)).body as JobView;
      return view.state === 'succeeded' || view.state === 'failed' ? view : null;
    }, 'the job over TLS', 60_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.equal(done.worker, worker.name);
    assert.match(server.output(), /jobs go to BullMQ queues on rediss:\/\/:\*\*\*@localhost:\d+/);
    for (const p of processes) assert.ok(!p.output().includes(PASSWORD), p.output());
  });

  it('checks the certificate and the host name: an untrusted certificate or another name fails fast, redacted', async () => {
    const untrusted = await runStudio(['worker', '--redis', redis.url], { timeoutMs: 60_000, env: { NODE_EXTRA_CA_CERTS: '', REDIS_URL: '' } });
    assert.notEqual(untrusted.code, 0);
    assert.match(untrusted.stderr, /cannot reach Redis at rediss:\/\/:\*\*\*@localhost:\d+: .*(self-signed|certificate)/i);
    // The certificate names localhost only; 127.0.0.1 is the same server under a name it does not carry.
    const otherName = redis.url.replace('@localhost:', '@127.0.0.1:');
    const mismatch = await runStudio(['worker', '--redis', otherName], { timeoutMs: 60_000, env: { ...trust, REDIS_URL: '' } });
    assert.notEqual(mismatch.code, 0);
    assert.match(mismatch.stderr, /cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(altnames|Hostname|IP)/i);
    const serve = await runStudio(['serve', '--port', '0', '--redis', redis.url], { timeoutMs: 60_000, env: { NODE_EXTRA_CA_CERTS: '', REDIS_URL: '', STUDIO_MODELS_DIR: path.join(root, 'models') } });
    assert.notEqual(serve.code, 0);
    assert.match(serve.stderr, /cannot reach Redis at rediss:\/\/:\*\*\*@localhost:\d+: .*(self-signed|certificate)/i);
    for (const r of [untrusted, mismatch, serve]) assert.ok(!(r.stderr + r.stdout).includes(PASSWORD), r.stderr);
  });
});
