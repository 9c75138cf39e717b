import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runStudio } from '../../helpers/cli.js';
import { readNoteManifest } from '../../../server/data/notes/manifest.js';

describe('studio data notes', function () {
  this.timeout(120_000);
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-cli-notes-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('renders a dataset from the options given, with a summary', async () => {
    const out = path.join(tmp, 'ds');
    const res = await runStudio(['data', 'notes', '--programs', '73', '--pitches', '60-62', '--velocities', '80', '--seconds', '0.25', '--rate', '22050', '--bit-depth', '24', '--out', out]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /wrote 3 notes from 1 programs of MuseScore_General_Lite/);
    const rows = await readNoteManifest(out);
    assert.deepEqual(rows.map((r) => r.noteStr), ['flute_msgl_073-060-080', 'flute_msgl_073-061-080', 'flute_msgl_073-062-080']);
    assert.equal(rows[0]!.sampleRate, 22050);
    const wav = await fs.readFile(path.join(out, rows[0]!.wavFile));
    assert.equal(wav.readUInt16LE(34), 24);
  });

  it('imports a folder with --from and lists what it skipped', async () => {
    const from = path.join(tmp, 'mine');
    await fs.mkdir(from);
    const good = await fs.readFile(path.join(tmp, 'ds', 'audio', 'flute_msgl_073-061-080.wav'));
    await fs.writeFile(path.join(from, 'flute C#4.wav'), good);
    await fs.writeFile(path.join(from, 'cut.wav'), good.subarray(0, 100));
    const out = path.join(tmp, 'imported');
    const res = await runStudio(['data', 'notes', '--from', from, '--out', out, '--quiet']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /imported 1 notes \(wav folder\)/);
    assert.match(res.stdout, /skipped 1 files:\n {2}cut\.wav: is truncated/);
    assert.equal((await readNoteManifest(out))[0]!.pitch, 61);
  });

  it('exits non-zero with a clear message on bad options, writing nothing', async () => {
    const out = path.join(tmp, 'bad');
    // Each run starts a process (seconds each): two cover flag parsing and option checks; build.test.ts has the rest.
    for (const [args, message] of [
      [['--programs', '0,x'], /--programs must be comma-separated whole numbers/],
      [['--pitches', '84-24'], /pitch range 84-24/],
    ] as const) {
      const res = await runStudio(['data', 'notes', '--out', out, '--quiet', ...args]);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    await assert.rejects(fs.stat(out), /ENOENT/);
  });
});
