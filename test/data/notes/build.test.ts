import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildNoteDataset } from '../../../server/data/notes/build.js';
import { familyOfProgram, sourceOfProgram } from '../../../server/data/notes/families.js';
import { loadNoteAudio, readNoteManifest } from '../../../server/data/notes/manifest.js';
import { readWav, toMono } from '../../../server/audio/wav.js';
import { estimateF0, centsBetween, midiToHz } from '../../../server/audio/f0.js';
import { StudioError } from '../../../server/util/errors.js';
import type { ProgressEvent } from '../../../server/util/progress.js';
import { peak } from '../../audio/rendered-notes.js';

async function folderBytes(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) await walk(child);
      else out.set(child, await fs.readFile(path.join(dir, child)));
    }
  };
  await walk('');
  return out;
}

describe('data/notes/build', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-notes-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const options = { programs: [0, 40], pitchMin: 48, pitchMax: 50, velocities: [60, 120], seconds: 0.5 };

  it('renders an NSynth-like dataset: manifest rows, WAVs, licence, progress', async () => {
    const events: ProgressEvent[] = [];
    const summary = await buildNoteDataset({ ...options, out: path.join(tmp, 'a') }, (e) => events.push(e));
    assert.equal(summary.notes, 12);
    assert.deepEqual(summary.skipped, []);
    assert.equal(events.at(-1)!.done, 12);
    assert.equal(events.at(-1)!.total, 12);
    const files = (await fs.readdir(path.join(tmp, 'a'))).sort();
    assert.deepEqual(files, ['MuseScore_General_Lite.copyright', 'audio', 'dataset.json', 'manifest.jsonl']);

    const examples = await readNoteManifest(path.join(tmp, 'a'));
    assert.equal(examples.length, 12);
    const first = examples[0]!;
    assert.equal(first.noteStr, 'keyboard_msgl_000-048-060');
    assert.equal(first.wavFile, 'audio/keyboard_msgl_000-048-060.wav');
    assert.equal(first.instrumentFamilyStr, familyOfProgram(0));
    assert.equal(first.instrumentSourceStr, sourceOfProgram(0));
    assert.equal(examples[6]!.instrumentStr, 'string_msgl_040');
    assert.equal(first.source, 'soundfont:MuseScore_General_Lite');
    for (const e of examples) {
      const audio = await readWav(path.join(tmp, 'a', e.wavFile));
      assert.equal(audio.sampleRate, 16000);
      assert.equal(audio.channels[0]!.length, 8000);
      const f0 = estimateF0(toMono(audio), 16000)!;
      assert.ok(Math.abs(centsBetween(f0.hz, midiToHz(e.pitch))) < 50, `${e.noteStr} sounds at ${f0.hz} Hz`);
    }
  });

  it('levels each program so its loudest note peaks at 0.9, keeping velocity differences', async () => {
    const examples = await readNoteManifest(path.join(tmp, 'a'));
    for (const program of [0, 40]) {
      const peaks = new Map<string, number>();
      for (const e of examples.filter((x) => x.program === program)) {
        peaks.set(`${e.pitch}/${e.velocity}`, peak(toMono(await readWav(path.join(tmp, 'a', e.wavFile)))));
      }
      const loudest = Math.max(...peaks.values());
      assert.ok(Math.abs(loudest - 0.9) < 1e-3, `program ${program} peaks at ${loudest}`);
      assert.ok(peaks.get('49/60')! < peaks.get('49/120')!, 'soft notes stay softer');
    }
  });

  it('gives the same bytes for the same options', async () => {
    await buildNoteDataset({ ...options, out: path.join(tmp, 'b') });
    const a = await folderBytes(path.join(tmp, 'a'));
    const b = await folderBytes(path.join(tmp, 'b'));
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} differs`);
  });

  it('loadNoteAudio gives mono at the asked rate and length, cut or zero-padded', async () => {
    const dir = path.join(tmp, 'a');
    const [example] = await readNoteManifest(dir);
    const same = await loadNoteAudio(dir, example!, 16000, 0.5);
    assert.equal(same.length, 8000);
    const longer = await loadNoteAudio(dir, example!, 16000, 1);
    assert.equal(longer.length, 16000);
    assert.deepEqual(longer.subarray(0, 8000), same);
    assert.ok(longer.subarray(8000).every((v) => v === 0));
    const up = await loadNoteAudio(dir, example!, 48000, 0.25);
    assert.equal(up.length, 12000);
    const f0 = estimateF0(up, 48000)!;
    assert.ok(Math.abs(centsBetween(f0.hz, midiToHz(example!.pitch))) < 50);
  });

  it('rejects bad options before writing anything', async () => {
    const out = path.join(tmp, 'never');
    const bad = [{ programs: [128] }, { pitchMin: 90, pitchMax: 80 }, { velocities: [0] }, { seconds: 0 }, { holdSeconds: 2, seconds: 1 }, { font: 'NoSuchFont' }];
    for (const b of bad) await assert.rejects(buildNoteDataset({ ...options, ...b, out }), StudioError, JSON.stringify(b));
    await assert.rejects(fs.stat(out), /ENOENT/);
  });
});
