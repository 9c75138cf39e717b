import { strict as assert } from 'node:assert';
import { runStudio } from '../helpers/cli.js';

describe('scale: studio worker and serve --redis on the command line', function () {
  this.timeout(120_000);

  it('documents its flags in --help', async () => {
    const worker = await runStudio(['worker', '--help']);
    assert.equal(worker.code, 0, worker.stderr);
    for (const flag of ['--redis <url>', '--concurrency <n>', '--queues <list>', '--models <dir>', '--exports <dir>']) assert.ok(worker.stdout.includes(flag), flag);
    const serve = await runStudio(['serve', '--help']);
    assert.match(serve.stdout, /--redis <url>[\s\S]*REDIS_URL/);
  });

  it('refuses a missing Redis URL, unknown queues, bad concurrency and non-Redis URLs with a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['worker'], /say which Redis to take jobs from: --redis/],
      [['worker', '--redis', 'redis://127.0.0.1:1', '--queues', 'train,gpu'], /--queues takes .* unknown: gpu/],
      [['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '0'], /--concurrency must be an integer 1-64/],
      [['worker', '--redis', 'http://user:hunter2@127.0.0.1:1'], /starts with redis:\/\/ or rediss:\/\/.*http:\/\/user:\*\*\*@127\.0\.0\.1:1/],
    ];
    for (const [args, message] of cases) {
      const result = await runStudio(args, { env: { REDIS_URL: '' } });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.ok(!result.stderr.includes('hunter2'));
    }
  });
});
