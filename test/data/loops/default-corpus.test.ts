// Real sources of the default corpus. These need the Debian package `mma` and apt access: as root they install
// and download what they need; otherwise they fail naming the package to install.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDebianCommand } from '../../../server/data/loops/system-tools.js';
import { grooveNamer, listFourFourGrooves, renderMmaGrooves } from '../../../server/data/loops/mma.js';
import { fetchDebianPackages } from '../../../server/data/loops/debian.js';
import { buildLoopDataset } from '../../../server/data/loops/build-loops.js';
import { readLoopDataset } from '../../../server/data/loops/loop-dataset.js';
import { midiToPhrases } from '../../../server/music/midi-in.js';

describe('default loop corpus sources (Debian packages, MMA)', function () {
  let tmp: string;

  before(async () => {
    await ensureDebianCommand('mma', 'mma');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-corpus-'));
  });

  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('names the Debian package to install when a tool is missing and cannot be installed', async () => {
    await assert.rejects(
      ensureDebianCommand('studio-no-such-tool', 'studio-no-such-package', { mayInstall: false }),
      /`studio-no-such-tool` is missing: install the Debian package studio-no-such-package \(sudo apt-get install studio-no-such-package\)/,
    );
  });

  it("lists MMA's 4/4 grooves and leaves out the waltzes", async () => {
    const grooves = await listFourFourGrooves('/usr/share/mma/lib/stdlib');
    assert.ok(grooves.length > 900, `${grooves.length} grooves`);
    for (const name of ['8Beat', 'BasicRock', 'Swing']) assert.ok(grooves.includes(name), name);
    assert.ok(!grooves.some((g) => /^waltz$/i.test(g)), 'Waltz is 3/4');
  });

  it('renders grooves back to back, one 4-bar phrase each, named by the sidecar', async () => {
    const outDir = path.join(tmp, 'grooves');
    const variants = [{ name: 'test', tempoBpm: 110, chords: ['C', 'F', 'G', 'C'] }];
    const result = await renderMmaGrooves({ outDir, grooves: ['8Beat', 'BasicRock', 'NoSuchGrooveAnywhere'], variants });
    assert.deepEqual(result.failed.map((f) => f.groove), ['NoSuchGrooveAnywhere']);
    assert.equal(result.files.length, 1);
    const { phrases } = midiToPhrases(await fs.readFile(result.files[0]!), 'test-00.mid', { minTracks: 3 });
    assert.deepEqual(phrases.map((p) => [p.barOffset, p.tempoBpm]), [[0, 110], [4, 110]]);
    for (const p of phrases) assert.ok(p.families.includes('drums') && p.families.includes('bass'), p.families.join());
    const name = await grooveNamer(outDir);
    assert.equal(name('test-00.mid', 4), 'BasicRock (test, 110 bpm)');
  });

  it('downloads a Debian package without installing it and turns its songs into loops', async () => {
    const cache = path.join(tmp, 'cache');
    const [pkg] = await fetchDebianPackages(['openttd-openmsx'], cache);
    assert.ok(pkg!.copyrightFile, 'ships a copyright file');
    assert.match(await fs.readFile(pkg!.copyrightFile!, 'utf8'), /GPL/);
    const out = path.join(tmp, 'loops');
    const report = await buildLoopDataset({ sources: [{ name: pkg!.name, dir: pkg!.dir, licence: 'GPL-2.0', licenceFiles: [pkg!.copyrightFile!] }], out });
    assert.equal(report.files, 31);
    assert.equal(report.filesFailed, 0);
    assert.ok(report.count > 250, `${report.count} segments`);
    assert.equal(readLoopDataset(out).count, report.count);
    await fs.access(path.join(out, 'licences', 'openttd-openmsx', 'copyright'));
  });
});
