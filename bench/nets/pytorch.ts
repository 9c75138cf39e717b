/**
 * Runs shared/bench/torch_reference.py, the PyTorch yardstick, in the same benchmark run. Uses Debian's
 * PyTorch with the OpenBLAS-openmp BLAS (what a researcher gets; stock Debian links the slow reference BLAS),
 * unpacked into a cache under .studio/ when it is not there yet and apt is available.
 */
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../server/util/version.js';

export const PYTHON = '/usr/bin/python3';
const OPENBLAS_SUBDIR = 'usr/lib/x86_64-linux-gnu/openblas-openmp';

export interface TorchTiming {
  median_ms: number | null;
  n: number;
  warmup: number;
  capped: boolean;
  cpu_util: number;
}

export interface TorchRun {
  torch: string;
  threads: number;
  paramsG: number;
  paramsD: number;
  /** Which BLAS library the torch process actually mapped. */
  blas: string;
  results: Partial<Record<'train' | 'infer16' | 'infer1', TorchTiming>>;
}

export interface TorchEnvironment {
  script: string;
  env: NodeJS.ProcessEnv;
  blas: string;
}

/** Where PyTorch can be run from, or null (with the reason on stderr) when it cannot. */
export function torchEnvironment(log: (line: string) => void): TorchEnvironment | null {
  const script = path.resolve(projectRoot(), '..', 'shared', 'bench', 'torch_reference.py');
  if (!existsSync(script)) {
    log(`pytorch: ${script} not found; PyTorch figures are null`);
    return null;
  }
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    log(`pytorch: "${PYTHON} -c 'import torch'" fails (install: apt-get install -y python3-torch python3-numpy); PyTorch figures are null`);
    return null;
  }
  const openblas = openblasDir(log);
  const env = { ...process.env };
  if (openblas) env.LD_LIBRARY_PATH = [openblas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return { script, env, blas: mappedBlas(env) };
}

/** The unpacked libopenblas0-openmp folder, fetched with apt-get download + dpkg -x when missing. */
function openblasDir(log: (line: string) => void): string | null {
  const cache = path.join(projectRoot(), '.studio', 'cache', 'openblas-openmp');
  const lib = path.join(cache, OPENBLAS_SUBDIR);
  if (existsSync(path.join(lib, 'libblas.so.3'))) return lib;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || spawnSync('apt-get', ['--version']).status !== 0) {
    log('pytorch: OpenBLAS-openmp not cached and apt-get is not usable here; timing stock (netlib) BLAS');
    return null;
  }
  log(`pytorch: fetching libopenblas0-openmp (apt-get download) into ${cache} (not installed system-wide)`);
  mkdirSync(cache, { recursive: true });
  const download = spawnSync('apt-get', ['download', 'libopenblas0-openmp'], { cwd: cache, encoding: 'utf8' });
  const deb = readdirSync(cache).find((f) => f.startsWith('libopenblas0-openmp') && f.endsWith('.deb'));
  if (download.status !== 0 || !deb) {
    log(`pytorch: apt-get download failed (${(download.stderr || '').trim().split('\n').pop()}); timing stock BLAS`);
    return null;
  }
  const unpack = spawnSync('dpkg', ['-x', deb, '.'], { cwd: cache, encoding: 'utf8' });
  if (unpack.status !== 0 || !existsSync(path.join(lib, 'libblas.so.3'))) {
    log(`pytorch: dpkg -x ${deb} failed; timing stock BLAS`);
    return null;
  }
  return lib;
}

/** The BLAS shared object a torch process maps with this environment (read from /proc/self/maps). */
function mappedBlas(env: NodeJS.ProcessEnv): string {
  const code = "import torch\nprint('\\n'.join(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()})))";
  const run = spawnSync(PYTHON, ['-c', code], { env, encoding: 'utf8' });
  const libs = run.stdout.trim().split('\n').filter(Boolean);
  const kind = libs.some((l) => l.includes('openblas-openmp')) ? 'OpenBLAS-openmp' : libs.some((l) => l.includes('openblas')) ? 'OpenBLAS' : 'stock (netlib reference BLAS)';
  return `${kind}: ${libs.join(', ') || 'none mapped'}`;
}

export interface TorchRunOptions {
  net: 'note' | 'loop';
  threads: number;
  warmup: number;
  iters: number;
  capSeconds: number;
}

/** Runs the reference for one network and parses its SUMMARY line. */
export function runTorchReference(env: TorchEnvironment, options: TorchRunOptions, log: (line: string) => void): Promise<TorchRun> {
  const args = [env.script, '--net', options.net, '--threads', String(options.threads), '--warmup', String(options.warmup), '--iters', String(options.iters), '--cap', String(options.capSeconds)];
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of d.toString().split('\n')) if (line.startsWith('RESULT ')) log(`pytorch ${options.net}: ${summarise(line.slice(7))}`);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('SUMMARY '));
      if (code !== 0 || !line) return reject(new Error(`torch_reference.py --net ${options.net} exited ${code}: ${err.trim().split('\n').pop()}`));
      const summary = JSON.parse(line.slice(8)) as Omit<TorchRun, 'blas'>;
      resolve({ torch: summary.torch, threads: summary.threads, paramsG: summary.paramsG, paramsD: summary.paramsD, blas: env.blas, results: summary.results });
    });
  });
}

function summarise(json: string): string {
  const r = JSON.parse(json) as { measure: string; median_ms: number; cpu_util: number };
  return `${r.measure} median ${r.median_ms?.toFixed(1)} ms (cpu/wall ${r.cpu_util})`;
}
