/** Running the system tools the default corpus needs (apt-get, dpkg, mma), with errors that say what to do. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { StudioError } from '../../util/errors.js';

const execFileAsync = promisify(execFile);

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command; a failure becomes a StudioError quoting the command and the end of its stderr. */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 600_000,
      env: { ...process.env, ...options.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout: String(stdout), stderr: String(stderr) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string; killed?: boolean };
    if (e.code === 'ENOENT') throw new StudioError('UNAVAILABLE', `\`${command}\` is not installed`);
    const tail = (String(e.stderr ?? '') || String(e.stdout ?? '')).trim().split('\n').slice(-4).join(' | ');
    throw new StudioError('UNAVAILABLE', `\`${command} ${args.join(' ')}\` failed${e.killed ? ' (timed out)' : ''}: ${tail || e.message}`);
  }
}

export async function hasCommand(command: string): Promise<boolean> {
  try {
    await execFileAsync('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** apt-get options that wait for another apt/dpkg run to finish instead of failing on its lock. */
export const APT_LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

/**
 * Makes sure a Debian package's command is installed: installs it with apt-get when running as root (or when
 * `mayInstall` says so), otherwise fails with the exact command to run.
 */
export async function ensureDebianCommand(command: string, debianPackage: string, options: { mayInstall?: boolean } = {}): Promise<void> {
  if (await hasCommand(command)) return;
  if (!(options.mayInstall ?? isRoot())) {
    throw new StudioError(
      'UNAVAILABLE',
      `\`${command}\` is missing: install the Debian package ${debianPackage} (sudo apt-get install ${debianPackage}) and run this again`,
    );
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...APT_LOCK_WAIT, debianPackage], { env });
  } catch {
    // Package lists may be missing on a fresh machine.
    await run('apt-get', ['update', ...APT_LOCK_WAIT], { env });
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...APT_LOCK_WAIT, debianPackage], { env });
  }
  if (!(await hasCommand(command))) throw new StudioError('UNAVAILABLE', `installed ${debianPackage} but \`${command}\` is still not found`);
}
