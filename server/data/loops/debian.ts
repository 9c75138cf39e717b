/**
 * Fetches Debian packages' files WITHOUT installing them: `apt-get download` into a cache, then `dpkg -x`.
 * Both are cached, so a second build does not touch the network.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../../util/errors.js';
import { APT_LOCK_WAIT, hasCommand, isRoot, run } from './system-tools.js';

export interface ExtractedPackage {
  name: string;
  /** Folder the package was extracted into (its files under usr/...). */
  dir: string;
  /** Debian's machine-readable copyright file of the package, if it ships one. */
  copyrightFile: string | null;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

async function findDeb(debDir: string, name: string): Promise<string | null> {
  const entries = await fs.readdir(debDir).catch(() => [] as string[]);
  const deb = entries.find((e) => e.startsWith(`${name}_`) && e.endsWith('.deb'));
  return deb ? path.join(debDir, deb) : null;
}

async function download(debDir: string, name: string): Promise<string> {
  try {
    await run('apt-get', ['download', ...APT_LOCK_WAIT, name], { cwd: debDir });
  } catch (err) {
    // No package lists yet (fresh container): refresh them once when we may.
    if (!isRoot()) {
      throw new StudioError('UNAVAILABLE', `cannot download the Debian package ${name} (${(err as Error).message}); try \`sudo apt-get update\` first`);
    }
    await run('apt-get', ['update', ...APT_LOCK_WAIT]);
    await run('apt-get', ['download', ...APT_LOCK_WAIT, name], { cwd: debDir });
  }
  const deb = await findDeb(debDir, name);
  if (!deb) throw new StudioError('UNAVAILABLE', `apt-get download ${name} left no .deb in ${debDir}`);
  return deb;
}

/** Downloads (once) and extracts (once) each package under cacheDir/debs and cacheDir/extract/<name>. */
export async function fetchDebianPackages(names: string[], cacheDir: string, log: (line: string) => void = () => {}): Promise<ExtractedPackage[]> {
  for (const tool of ['apt-get', 'dpkg']) {
    if (!(await hasCommand(tool))) throw new StudioError('UNAVAILABLE', `\`${tool}\` is missing: the default loop corpus is built from Debian packages and needs a Debian-based system`);
  }
  const debDir = path.join(cacheDir, 'debs');
  await fs.mkdir(debDir, { recursive: true });
  const out: ExtractedPackage[] = [];
  for (const name of names) {
    if (!PACKAGE_NAME.test(name)) throw new StudioError('BAD_INPUT', `${JSON.stringify(name)} is not a Debian package name`);
    let deb = await findDeb(debDir, name);
    if (!deb) {
      log(`downloading Debian package ${name}`);
      deb = await download(debDir, name);
    }
    const dir = path.join(cacheDir, 'extract', name);
    const marker = path.join(dir, '.extracted-from');
    const extractedFrom = await fs.readFile(marker, 'utf8').catch(() => null);
    if (extractedFrom !== path.basename(deb)) {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.mkdir(dir, { recursive: true });
      await run('dpkg', ['-x', deb, dir]);
      await fs.writeFile(marker, path.basename(deb));
    }
    const copyright = path.join(dir, 'usr', 'share', 'doc', name, 'copyright');
    out.push({ name, dir, copyrightFile: (await fs.stat(copyright).catch(() => null)) ? copyright : null });
  }
  return out;
}
