import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../server/util/version.js';

/** Starts `studio ARGS` from the sources and returns the child, for tests that signal it. */
export function startStudio(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'server/cli/run.ts'), ...args], {
    cwd: projectRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

export async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The step in a model folder's metadata.json, or -1 while there is none. */
export function metadataStep(dir: string): number {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')).step as number;
  } catch {
    return -1;
  }
}
