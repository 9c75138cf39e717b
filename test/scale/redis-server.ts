/**
 * A real redis-server for the scale tests, on a free loopback port, started and stopped by the test. Without the
 * program: installed with apt when running as root (CI), otherwise the test fails naming the package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface RedisOptions {
  /** Persist to an append-only file in `dir`, so a restart keeps the data. */
  appendOnly?: boolean;
  password?: string;
}

export interface RedisProcess {
  port: number;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  dir: string;
  /** SIGTERM (Redis writes its files) and wait for the exit. */
  stop(): Promise<void>;
  /** stop() then start again on the same port and files. */
  restart(): Promise<void>;
  /** stop() and remove its files. */
  remove(): Promise<void>;
}

let checked = false;

export function ensureRedisServer(): void {
  if (checked) return;
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    if (process.getuid?.() === 0) {
      const apt = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server'], { stdio: 'inherit' });
      if (apt.status !== 0) throw new Error('could not install the Debian package redis-server with apt-get');
    } else {
      throw new Error('the scale tests need a real Redis: install the Debian package redis-server (apt-get install redis-server)');
    }
  }
  checked = true;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisProcess> {
  ensureRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'studio-redis-'));
  let child: ChildProcess | null = null;
  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.appendOnly ? 'yes' : 'no'];
    if (options.password) args.push('--requirepass', options.password);
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let said = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${said}`)), 15_000);
      proc.stdout!.on('data', (d: Buffer) => {
        said += d.toString();
        if (said.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${said}`));
      });
    });
    proc.stdout!.resume();
  };
  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };
  await launch();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    dir,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
