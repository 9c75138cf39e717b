/**
 * Builds the web client into client/dist/: one bundled, minified ES module (app.js + source map), the page and its
 * style sheet. The folder is swapped in whole, so a running server never serves half a build.
 *
 *   node --import tsx client/build.ts            build once
 *   node --import tsx client/build.ts --watch    rebuild on every change (dev)
 */
import * as esbuild from 'esbuild';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDirAtomic } from '../server/util/atomic.js';

const clientDir = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.join(clientDir, 'dist');
const STATIC_FILES = ['index.html', 'styles.css'];

/**
 * zod re-exports every one of its ~50 message locales (`z.locales`), which no one here uses; they were two thirds
 * of the page's script. The shared protocol module only needs English messages, so the locale index is cut down
 * to English in the bundle.
 */
const englishOnlyZod: esbuild.Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

const buildOptions: esbuild.BuildOptions = {
  entryPoints: [path.join(clientDir, 'src', 'main.ts')],
  bundle: true,
  format: 'esm',
  // Tone.js (and what plays sound) is a chunk of its own, loaded on the first click or key press.
  splitting: true,
  entryNames: 'app',
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  plugins: [englishOnlyZod],
  logLevel: 'warning',
  // Tone.js and socket.io-client read process.env.NODE_ENV in a few places.
  define: { 'process.env.NODE_ENV': '"production"' },
};

async function buildOnce(): Promise<void> {
  const started = Date.now();
  await writeDirAtomic(distDir, async (dir) => {
    const result = await esbuild.build({ ...buildOptions, outdir: dir, metafile: true });
    for (const file of STATIC_FILES) await fs.copyFile(path.join(clientDir, file), path.join(dir, file));
    const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
    console.error(`client: built ${path.relative(process.cwd(), distDir) || distDir} (${(bytes / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms`);
  });
}

async function watch(): Promise<void> {
  await fs.mkdir(distDir, { recursive: true });
  for (const file of STATIC_FILES) await fs.copyFile(path.join(clientDir, file), path.join(distDir, file));
  const context = await esbuild.context({ ...buildOptions, minify: false, outdir: distDir, logLevel: 'info' });
  await context.watch();
  console.error('client: watching client/src (static files are copied at start only)');
}

try {
  if (process.argv.includes('--watch')) await watch();
  else await buildOnce();
} catch (err) {
  // esbuild has already printed the located errors.
  console.error(`client: build failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  process.exitCode = 1;
}
