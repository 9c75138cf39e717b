/**
 * Processes of a small studio cluster on loopback, for the scale tests: `studio serve --redis` instances (the real
 * CLI) and workers (the fixture worker with the scripted CLI, or the real `studio worker`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../server/util/version.js';
import type { QueueWorkerOptions } from '../../server/scale/queue-worker.js';

export interface ClusterDirs {
  modelsDir: string;
  exportsDir: string;
  stateDir: string;
}

export interface StudioProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves on exit. */
  stop(): Promise<void>;
}

function track(child: ChildProcess): StudioProcess {
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function waitForLine(proc: StudioProcess, pattern: RegExp, what: string, timeoutMs = 120_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = proc.output().match(pattern);
      if (match) {
        clearInterval(timer);
        resolve(match);
      } else if (proc.child.exitCode !== null || Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`${what} did not start (exit ${proc.child.exitCode}):\n${proc.output().slice(-3000)}`));
      }
    };
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(check, 50);
  });
}

const studioArgs = (args: string[]) => ['--import', 'tsx', path.join(projectRoot(), 'server/cli/run.ts'), ...args];

export async function startServerProcess(redisUrl: string, dirs: ClusterDirs, env: NodeJS.ProcessEnv = {}): Promise<StudioProcess & { url: string }> {
  const child = spawn(process.execPath, studioArgs(['serve', '--port', '0', '--redis', redisUrl, '--state', dirs.stateDir, '--exports', dirs.exportsDir]), {
    cwd: projectRoot(),
    env: { ...process.env, STUDIO_MODELS_DIR: dirs.modelsDir, REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child);
  const [, url] = await waitForLine(proc, /serving on (http:\/\/\S+)/, 'studio serve');
  return Object.assign(proc, { url: url! });
}

export const WORKER_FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'worker-main.ts');

/** A worker running the scripted CLI; `env` reaches the jobs (e.g. SCRIPTED_STEP_MS). */
export async function startScriptedWorker(options: Partial<QueueWorkerOptions> & Pick<QueueWorkerOptions, 'redisUrl' | 'directories'>, env: NodeJS.ProcessEnv = {}): Promise<StudioProcess & { name: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_FIXTURE, JSON.stringify(options)], {
    cwd: projectRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child);
  const [, name] = await waitForLine(proc, /ready (\S+)/, 'the worker');
  return Object.assign(proc, { name: name! });
}

/** The real `studio worker` CLI. */
export async function startStudioWorker(args: string[], env: NodeJS.ProcessEnv = {}): Promise<StudioProcess> {
  const child = spawn(process.execPath, studioArgs(['worker', ...args]), { cwd: projectRoot(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = track(child);
  await waitForLine(proc, /taking .* jobs from/, 'studio worker');
  return proc;
}
