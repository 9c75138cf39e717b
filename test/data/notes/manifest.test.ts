import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNoteAudio, manifestText, readNoteManifest, type NoteExample } from '../../../server/data/notes/manifest.js';
import { StudioError } from '../../../server/util/errors.js';

const example: NoteExample = {
  noteStr: 'keyboard_msgl_000-060-100',
  wavFile: 'audio/keyboard_msgl_000-060-100.wav',
  pitch: 60,
  velocity: 100,
  instrument: 0,
  instrumentStr: 'keyboard_msgl_000',
  instrumentFamily: 4,
  instrumentFamilyStr: 'keyboard',
  instrumentSource: 0,
  instrumentSourceStr: 'acoustic',
  source: 'soundfont:MuseScore_General_Lite',
  sampleRate: 16000,
  seconds: 1,
  pitchFrom: 'render',
  program: 0,
};

describe('data/notes/manifest', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-manifest-'));
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('writes NSynth field names and reads them back as NoteExamples', async () => {
    const text = manifestText([example, { ...example, noteStr: 'x-061-100', pitch: 61, f0Hz: 277.18271 }]);
    assert.match(text.split('\n')[0]!, /^\{"note_str":"keyboard_msgl_000-060-100","wav_file":"audio\/.*"instrument_family_str":"keyboard"/);
    await fs.writeFile(path.join(tmp, 'manifest.jsonl'), text);
    const rows = await readNoteManifest(tmp);
    assert.deepEqual(rows[0], example);
    assert.equal(rows[1]!.f0Hz, 277.183);
  });

  async function expectError(lines: string[], pattern: RegExp): Promise<void> {
    await fs.writeFile(path.join(tmp, 'manifest.jsonl'), lines.join('\n'));
    await assert.rejects(readNoteManifest(tmp), (e: unknown) => {
      assert.ok(e instanceof StudioError);
      assert.match(e.message, pattern);
      assert.ok(e.message.includes(path.join(tmp, 'manifest.jsonl')));
      return true;
    });
  }

  it('names the file and line of a damaged row', async () => {
    const good = manifestText([example]).trim();
    await expectError([good, '{"note_str": '], /manifest\.jsonl:2: not valid JSON/);
    await expectError([good.replace('"pitch":60', '"pitch":300')], /:1: pitch:/);
    await expectError([good, good], /:2: note_str .* appears twice/);
  });

  it('refuses WAV paths that leave the dataset folder', async () => {
    for (const evil of ['../secret.wav', '/etc/passwd', 'audio/../../x.wav', 'C:\\\\Windows\\\\x.wav']) {
      await expectError([manifestText([{ ...example, wavFile: evil }]).trim()], /points outside the dataset folder/);
    }
    await assert.rejects(loadNoteAudio(tmp, { ...example, wavFile: '../x.wav' }, 16000, 1), /outside the dataset folder/);
  });

  it('says NOT_FOUND for a folder without a manifest', async () => {
    await assert.rejects(readNoteManifest(tmp), (e: unknown) => e instanceof StudioError && e.code === 'NOT_FOUND' && /studio data notes/.test(e.message));
  });
});
