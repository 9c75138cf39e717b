/**
 * Preloaded (`node --import`) into every job process a `studio worker` starts. The worker holds the write end of the
 * job's stdin; when the worker dies, even by SIGKILL, the job reads end-of-file and sends itself SIGTERM, so a
 * trainer checkpoints and exits instead of training on as an orphan beside the run that replaces it.
 */
import { LIFELINE_ENV } from './lifeline-env.js';

if (process.env[LIFELINE_ENV] === '1' && !process.stdin.isTTY) {
  const cut = () => {
    process.kill(process.pid, 'SIGTERM');
  };
  process.stdin.on('end', cut);
  process.stdin.on('error', cut);
  process.stdin.resume();
  // Reading stdin must not keep a finished command alive.
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}
