import { fileURLToPath, pathToFileURL } from 'node:url';

/** Set to 1 in a job's environment when its stdin is the worker's lifeline. */
export const LIFELINE_ENV = 'STUDIO_LIFELINE';

/**
 * The launcher with the lifeline preloaded: `--import lifeline` goes after the launcher's own `--import`s (tsx must
 * load first to read the .ts sources). A launcher that is not this Node binary is returned as it is.
 */
export function withLifeline(launcher: string[]): string[] {
  if (launcher[0] !== process.execPath) return launcher;
  const here = fileURLToPath(import.meta.url);
  const lifeline = pathToFileURL(here.replace(/lifeline-env\.(ts|js)$/, 'lifeline.$1')).href;
  let at = 1;
  while (launcher[at] === '--import' && at + 1 < launcher.length) at += 2;
  // From sources the lifeline is TypeScript: it needs tsx loaded first.
  const tsx = here.endsWith('.ts') && !launcher.slice(1, at).includes('tsx') ? ['--import', 'tsx'] : [];
  return [...launcher.slice(0, at), ...tsx, '--import', lifeline, ...launcher.slice(at)];
}
