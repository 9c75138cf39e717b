import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis, type RedisProcess } from './redis-server.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'start-server.ts');

function loadedRedisPackages(args: string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'studio-imports-log-'));
  const log = path.join(dir, 'imports.log');
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { env: { ...process.env, STUDIO_IMPORT_LOG: log }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /closed/);
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scale: the one-machine studio never loads the Redis packages', function () {
  this.timeout(120_000);
  let redis: RedisProcess;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.remove();
  });

  it('loads bullmq, ioredis and the socket.io adapter only in Redis mode', () => {
    assert.deepEqual(loadedRedisPackages([]), []);
    const loaded = loadedRedisPackages([redis.url]).join('\n');
    for (const name of ['bullmq', 'ioredis', '@socket.io/redis-adapter']) assert.ok(loaded.includes(`/node_modules/${name}/`), `${name} in Redis mode:\n${loaded}`);
  });
});
