import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../server/util/version.js';
import { runStudio } from '../helpers/cli.js';
import { removeDir } from './helpers.js';

describe('cli: studio serve', () => {
  it('refuses a non-loopback address without STUDIO_TOKEN, and a bad port', async () => {
    const open = await runStudio(['serve', '--port', '0'], { env: { HOST: '0.0.0.0', STUDIO_TOKEN: '' } });
    assert.equal(open.code, 2);
    assert.match(open.stderr, /refusing to listen on 0\.0\.0\.0 without a token: set STUDIO_TOKEN/);
    const port = await runStudio(['serve', '--port', '99999']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /port must be an integer 0-65535/);
  });

  it('prints its URL and the models it found, serves, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'studio-serve-'));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'server/cli/run.ts'), 'serve', '--port', '0', '--state', path.join(dir, 'jobs')], {
      env: { ...process.env, STUDIO_MODELS_DIR: path.join(dir, 'models'), HOST: '', PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(out)), 60_000);
        child.stdout.on('data', () => {
          const match = /serving on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*model problem/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      assert.match(out, /no models yet/);
      assert.match(out, /model problem: .*models: models directory does not exist/);
      const health = (await (await fetch(`${url}/api/health`)).json()) as { status: string };
      assert.equal(health.status, 'ok');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(out, /SIGTERM: stopping/);
    } finally {
      child.kill('SIGKILL');
      removeDir(dir);
    }
  });
});
