#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = new URL('../dist/server/cli/run.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('studio: dist/ is missing; run `npm run build` (npm install does this for you).');
  process.exit(1);
}
await import(entry.href);
