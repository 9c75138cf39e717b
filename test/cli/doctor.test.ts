import { strict as assert } from 'node:assert';
import { runStudio } from '../helpers/cli.js';

describe('studio doctor', () => {
  it('reports node, backend, reason, probes and threads, and exits 0', async () => {
    const result = await runStudio(['doctor', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.node, process.version);
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(report.backend));
    assert.ok(report.reason.length > 0);
    assert.ok(report.backendThreads >= 1);
    const candidates = report.probes.map((p: { candidate: string }) => p.candidate);
    assert.ok(candidates.includes('@tensorflow/tfjs-node'), 'says whether tfjs-node was found');
  });

  it('honours STUDIO_BACKEND=cpu', async () => {
    const result = await runStudio(['doctor', '--json'], { env: { STUDIO_BACKEND: 'cpu' } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).backend, 'cpu');
  });

  it('fails clearly on an unknown STUDIO_BACKEND instead of falling back', async () => {
    const result = await runStudio(['doctor'], { env: { STUDIO_BACKEND: 'quantum' } });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /STUDIO_BACKEND=quantum is not a backend/);
  });

  it('has --help on the command', async () => {
    const result = await runStudio(['doctor', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: studio doctor/);
  });
});
