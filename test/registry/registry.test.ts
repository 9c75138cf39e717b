import { strict as assert } from 'node:assert';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../server/ml/tf.js';
import { MODEL_ID_PATTERN } from '../../server/checkpoints/resolve.js';
import { MODEL_ID_SOURCE } from '../../server/protocol.js';
import { ModelRegistry } from '../../server/registry/registry.js';
import { StudioError } from '../../server/util/errors.js';
import { useTempDir } from '../helpers/tmp.js';
import { writeModelFolder as writeModel } from './fixtures.js';

function code(err: unknown): string {
  return err instanceof StudioError ? err.code : String(err);
}

describe('registry: models by id', () => {
  const tmp = useTempDir();
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('lists each model folder by its name with kind, preset, steps, metrics and capabilities', async () => {
    const models = path.join(tmp(), 'models');
    await writeModel(path.join(models, 'notes-a'), 'notes', 120, { latentSize: 8, midiPitchMin: 24, spectral: { sampleRate: 16000, seconds: 1 } });
    await writeModel(path.join(models, 'loops-b'), 'loops', 40, { bars: 4 });
    const registry = new ModelRegistry({ dirs: [models] });
    await registry.scan();
    const list = registry.list();
    assert.deepEqual(list.map((m) => [m.id, m.kind, m.preset, m.step]), [['loops-b', 'loops', 'tiny', 40], ['notes-a', 'notes', 'tiny', 120]]);
    assert.deepEqual(list[1]!.metrics, { score: 12 });
    assert.deepEqual(list[1]!.capabilities, { sampleRate: 16000, seconds: 1, latentSize: 8, midiPitchMin: 24 });
    assert.equal(list[0]!.capabilities.bars, 4);
    assert.equal(registry.get('notes-a').dir, path.join(models, 'notes-a'));
    assert.deepEqual(registry.problems, []);
  });

  it('reports a damaged folder and still lists the good ones; plain folders are not models', async () => {
    const models = path.join(tmp(), 'models');
    await writeModel(path.join(models, 'good'), 'notes', 1);
    await writeModel(path.join(models, 'broken'), 'notes', 1);
    writeFileSync(path.join(models, 'broken', 'metadata.json'), '{"kind": "notes", trunc');
    mkdirSync(path.join(models, 'half'));
    writeFileSync(path.join(models, 'half', 'metadata.json'), '{}');
    mkdirSync(path.join(models, 'docs'));
    writeFileSync(path.join(models, 'README.md'), 'not a folder');
    const registry = new ModelRegistry({ dirs: [models] });
    await registry.scan();
    assert.deepEqual(registry.list().map((m) => m.id), ['good']);
    const problems = registry.problems.map((p) => `${path.basename(p.path)}: ${p.message}`);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0]!, /^broken: .*metadata\.json is not valid JSON/);
    assert.match(problems[1]!, /^half: .*no model\.json/);
  });

  it('resolves ids only against what it found: paths, traversal and unknown ids are NOT_FOUND', async () => {
    const models = path.join(tmp(), 'models');
    await writeModel(path.join(models, 'notes-a'), 'notes', 1);
    await writeModel(path.join(tmp(), 'outside'), 'notes', 1);
    const registry = new ModelRegistry({ dirs: [models] });
    await registry.scan();
    for (const id of ['../outside', path.join(tmp(), 'outside'), 'notes-a/..', 'notes-a/', '.', '..', '', 'NOTES-A', 'outside']) {
      assert.throws(() => registry.get(id), (err) => code(err) === 'NOT_FOUND', id);
    }
    assert.throws(() => registry.get({ toString: () => 'notes-a' } as unknown as string), (err) => code(err) === 'NOT_FOUND');
    assert.throws(() => registry.get('notes-a', 'loops'), (err) => code(err) === 'BAD_INPUT' && /not a loops model/.test((err as Error).message));
  });

  it('picks <kind>-default for requests without an id, else the first of that kind, else says none is installed', async () => {
    const models = path.join(tmp(), 'models');
    await writeModel(path.join(models, 'a-notes'), 'notes', 1);
    const registry = new ModelRegistry({ dirs: [models] });
    await registry.scan();
    assert.equal(registry.resolve(undefined, 'notes').id, 'a-notes');
    assert.throws(() => registry.resolve(undefined, 'loops'), (err) => code(err) === 'UNAVAILABLE' && /no loops model/.test((err as Error).message));
    await writeModel(path.join(models, 'notes-default'), 'notes', 1);
    await registry.scan();
    assert.equal(registry.resolve(undefined, 'notes').id, 'notes-default');
  });

  it('finds a model whose save was killed mid-swap, searches several folders in order, and survives a missing one', async () => {
    const first = path.join(tmp(), 'first');
    const second = path.join(tmp(), 'second');
    await writeModel(path.join(first, 'shared'), 'notes', 1);
    await writeModel(path.join(second, 'shared'), 'notes', 2);
    await writeModel(path.join(second, 'swapping'), 'loops', 7);
    // What a kill between the two renames of saveModelFolder leaves: only the complete `.swapping.next`.
    renameSync(path.join(second, 'swapping'), path.join(second, '.swapping.next'));
    writeFileSync(path.join(second, '.swapping.next', '.complete'), 't7');
    const registry = new ModelRegistry({ dirs: [path.join(tmp(), 'missing'), first, second] });
    await registry.scan();
    assert.deepEqual(registry.list().map((m) => [m.id, m.step]), [['shared', 1], ['swapping', 7]]);
    const problems = registry.problems.map((p) => p.message);
    assert.ok(problems.some((m) => m === 'models directory does not exist'));
    assert.ok(problems.some((m) => /already taken/.test(m)));
  });

  it('uses the same id rule as the CLI resolver', () => {
    assert.equal(MODEL_ID_SOURCE, MODEL_ID_PATTERN.source);
  });
});
