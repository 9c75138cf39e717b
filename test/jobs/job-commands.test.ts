import { strict as assert } from 'node:assert';
import { defaultInstrumentExportName, jobArgv, jobOutput } from '../../server/jobs/job-commands.js';
import { jobRequestSchema } from '../../server/protocol.js';

const dirs = { modelsDir: '/srv/models', audioDataDir: '/srv/audio-data', midiDataDir: '/srv/midi-data', exportsDir: '/srv/exports', resume: false };

describe('job commands: render-instrument', () => {
  it('passes the instrument to `generate instrument` and names the export after it', () => {
    const request = jobRequestSchema.parse({ type: 'render-instrument', options: { model: 'notes-default', seed: 4, instrument: 'flute_fluid_073' } });
    assert.deepEqual(jobOutput(request), { export: 'notes-default-flute_fluid_073-seed4' });
    const argv = jobArgv(request, dirs);
    assert.deepEqual(argv.slice(argv.indexOf('--instrument'), argv.indexOf('--instrument') + 2), ['--instrument', 'flute_fluid_073']);
    assert.deepEqual(argv.slice(argv.indexOf('--out'), argv.indexOf('--out') + 2), ['--out', '/srv/exports/notes-default-flute_fluid_073-seed4']);
    const plain = jobRequestSchema.parse({ type: 'render-instrument', options: { model: 'notes-default', seed: 4 } });
    assert.deepEqual(jobOutput(plain), { export: 'notes-default-seed4' });
    assert.ok(!jobArgv(plain, dirs).includes('--instrument'));
  });

  it('an instrument name never makes the export a path: unsafe characters become "-", the name stays 64 long at most', () => {
    assert.equal(defaultInstrumentExportName('m', 1, '../../etc/passwd'), 'm-.-.-etc-passwd-seed1');
    assert.equal(defaultInstrumentExportName('m', 2, 'Grand Piano #1'), 'm-Grand-Piano-1-seed2');
    const long = defaultInstrumentExportName('model', 123, 'x'.repeat(100));
    assert.equal(long.length, 64);
    assert.match(long, /^model-x+-seed123$/);
    for (const name of [defaultInstrumentExportName('m', 1, '../../etc/passwd'), long]) {
      const parsed = jobRequestSchema.safeParse({ type: 'render-instrument', options: { model: 'm', name } });
      assert.ok(parsed.success, `${name} is a valid export name`);
    }
    const empty = jobRequestSchema.safeParse({ type: 'render-instrument', options: { model: 'm', instrument: '' } });
    assert.equal(empty.success, false, 'an empty instrument name is refused at the boundary');
  });
});
