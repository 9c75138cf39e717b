/**
 * Browser tests' plumbing: Debian's Chromium driven by playwright-core (a fresh, empty profile per launch), the web
 * client built from the current sources, pages that record every console error, and screenshots saved under
 * test-artifacts/ to look at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../../server/util/version.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.join(projectRoot(), 'test-artifacts');
const CLIENT_DIR = path.join(projectRoot(), 'client');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: the browser tests need Debian's \`chromium\` package (apt-get install chromium; .ci/run installs it)`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'studio-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Builds client/dist when it is missing or older than any client source. */
export function ensureClientBuilt(): void {
  const built = path.join(CLIENT_DIR, 'dist', 'app.js');
  const newestSource = Math.max(...[...walk(path.join(CLIENT_DIR, 'src')), path.join(CLIENT_DIR, 'index.html'), path.join(CLIENT_DIR, 'styles.css'), path.join(projectRoot(), 'server', 'protocol.ts')].map((f) => statSync(f).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return;
  execFileSync(process.execPath, ['--import', 'tsx', path.join(CLIENT_DIR, 'build.ts')], { cwd: projectRoot(), stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface StudioPage {
  page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  problems: string[];
}

/** Opens the client and waits until it has built its panels. */
export async function openStudio(context: BrowserContext, url: string): Promise<StudioPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#connection-state[data-state="connected"]');
  return { page, problems };
}

/**
 * Whether the server has the shared-file shelf (POST /api/files) that drag-out needs. Without it the page's one
 * attempt to use it shows as a 404 in the console; tests tolerate exactly that, and only while the route is missing.
 */
export async function serverHasFileShelf(serverUrl: string): Promise<boolean> {
  const response = await fetch(`${serverUrl}/api/files?filename=probe.json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  return response.status !== 404;
}

/** Console problems, less the 404 of a missing shelf when the server has none. */
export function realProblems(problems: string[], shelf: boolean): string[] {
  return shelf ? problems : problems.filter((p) => !(p.includes('404') && p.includes('/api/files')));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}
