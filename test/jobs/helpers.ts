import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs test/jobs/fixtures/scripted-cli.ts in place of the studio CLI. */
export const SCRIPTED_LAUNCHER = [process.execPath, '--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'scripted-cli.ts')];

/** Polls `check` until it returns a truthy value (returned) or the time is up (throws with `what`). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
