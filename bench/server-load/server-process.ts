/**
 * The studio server as the bench measures it: `studio serve` in its own process (so the load generator's own work
 * does not show in the server's event-loop figures), on a free port, with generous rate limits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { projectRoot } from '../../server/util/version.js';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** What the server printed (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Folders of models to serve (besides STUDIO_MODELS_DIR). */
  modelsDirs: string[];
  /** Where jobs write models (STUDIO_MODELS_DIR) and keep state. */
  workDir: string;
  rate: number;
  inferenceWorkers: number;
  env?: NodeJS.ProcessEnv;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const root = projectRoot();
  const args = ['--import', 'tsx', path.join(root, 'server/cli/run.ts'), 'serve', '--port', '0', '--rate', String(options.rate), '--inference-workers', String(options.inferenceWorkers),
    '--state', path.join(options.workDir, 'jobs'), ...options.modelsDirs.flatMap((d) => ['--models', d])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, STUDIO_MODELS_DIR: path.join(options.workDir, 'models'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    const onData = () => {
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code}:\n${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
      }),
  };
}
