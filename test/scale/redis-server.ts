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
  /** TLS only (no plain port), with a fresh self-signed certificate for the host name `localhost`. */
  tls?: boolean;
}

export interface RedisProcess {
  port: number;
  /** redis://[:password@]127.0.0.1:port, or rediss://[:password@]localhost:port with `tls` */
  url: string;
  dir: string;
  /** With `tls`: the certificate (PEM) a client must trust, e.g. through NODE_EXTRA_CA_CERTS. */
  certFile?: string;
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

/** A self-signed certificate for `localhost` (the name a rediss:// client checks), made with the openssl program. */
function selfSignedCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile];
  const made = spawnSync('openssl', args, { encoding: 'utf8' });
  if (made.error || made.status !== 0) throw new Error(`the TLS test needs the openssl program (apt-get install openssl): ${made.error?.message ?? made.stderr}`);
  return { certFile, keyFile };
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
  const tls = options.tls ? selfSignedCertificate(dir) : null;
  let child: ChildProcess | null = null;
  const launch = async () => {
    // `-::1`: also on IPv6 loopback where there is one, since `localhost` may resolve to it.
    const listen = tls
      ? ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1 -::1', '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-auth-clients', 'no']
      : ['--port', String(port), '--bind', '127.0.0.1'];
    const args = [...listen, '--dir', dir, '--save', '', '--appendonly', options.appendOnly ? 'yes' : 'no'];
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
    url: tls ? `rediss://${auth}localhost:${port}` : `redis://${auth}127.0.0.1:${port}`,
    dir,
    certFile: tls?.certFile,
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
