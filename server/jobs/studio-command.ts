import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { projectRoot } from '../util/version.js';

/**
 * The program and leading arguments that run the `studio` CLI in a child process: the compiled CLI when the
 * server itself runs from dist/, the TypeScript sources through tsx when it runs from sources (tests, dev).
 */
export function studioLauncher(): string[] {
  const root = projectRoot();
  const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  return fromSources
    ? [process.execPath, '--import', 'tsx', path.join(root, 'server/cli/run.ts')]
    : [process.execPath, path.join(root, 'dist/server/cli/run.js')];
}
