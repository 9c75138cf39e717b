import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startStudioServer, type StudioServer } from '../../../server/api/app.js';
import { initBackend } from '../../../server/ml/backend.js';
import { noteModelSpec } from '../../../server/gansynth/spec.js';
import { noteTrainDefaults } from '../../../server/gansynth/train-config.js';
import { trainNoteModel } from '../../../server/gansynth/trainer.js';
import { chooseTimbreClasses } from '../../../server/gansynth/timbre-classes.js';
import { syntheticNotes } from '../../gansynth/helpers/synthetic-notes.js';
import { ensureClientBuilt, launchChromium, openStudio, realProblems, screenshot, serverHasFileShelf, type Browser, type StudioPage } from './chromium.js';

const TIMBRE_MODEL = 'notes-timbre';
const PLAIN_MODEL = 'notes-plain';

/** Bytes behind a URL the page can fetch (a blob: URL of a download button), as an array of numbers. */
const pageBytes = (url: string) => `fetch(${JSON.stringify(url)}).then((r) => r.arrayBuffer()).then((b) => Array.from(new Uint8Array(b)))`;

describe('web client in Chromium: the instrument choice of the notes panel', function () {
  this.timeout(300_000);
  let server: StudioServer;
  let browser: Browser;
  let studio: StudioPage;
  let dir: string;
  let shelf: boolean;

  before(async () => {
    ensureClientBuilt();
    await initBackend();
    dir = mkdtempSync(path.join(tmpdir(), 'studio-client-instruments-'));
    const modelsDir = path.join(dir, 'models');
    // Two tiny models on the synthetic notes (instruments brass, flute, reed): one conditioned on them, one not.
    const { data } = syntheticNotes([48, 60]);
    const tiny = noteModelSpec('tiny');
    const config = { ...noteTrainDefaults, steps: 2, batchSize: 4, previewPitches: [60] };
    await trainNoteModel({ outDir: path.join(modelsDir, TIMBRE_MODEL), data, spec: { ...tiny, timbreClasses: chooseTimbreClasses(data, tiny.latentSize) }, config });
    await trainNoteModel({ outDir: path.join(modelsDir, PLAIN_MODEL), data, spec: { ...tiny, timbreClasses: null }, config });
    server = await startStudioServer({ port: 0, modelsDirs: [modelsDir], stateDir: path.join(dir, 'state'), audioDataDir: path.join(dir, 'audio'), midiDataDir: path.join(dir, 'midi') });
    await server.preloaded;
    shelf = await serverHasFileShelf(server.url);
    browser = await launchChromium();
    studio = await openStudio(browser.context, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hides the choice for a model without instruments and lists the model\'s instruments when it has some', async () => {
    const { page } = studio;
    await page.waitForSelector(`#note-model option[value="${TIMBRE_MODEL}"]`, { state: 'attached' });
    assert.equal(await page.inputValue('#note-model'), PLAIN_MODEL, 'the first model (no timbre classes) is chosen');
    assert.equal(await page.isHidden('#note-instrument'), true);
    await page.selectOption('#note-model', TIMBRE_MODEL);
    await page.waitForSelector('#note-instrument', { state: 'visible' });
    const options = (await page.evaluate(`Array.from(document.querySelectorAll('#note-instrument option')).map((o) => [o.value, o.textContent])`)) as [string, string][];
    assert.deepEqual(options, [['', 'From the timbre'], ['brass', 'brass'], ['flute', 'flute'], ['reed', 'reed']]);
    assert.equal(await page.inputValue('#note-instrument'), '');
  });

  it("plays the note in the chosen instrument: the server's note for that seed and instrument, named after it", async () => {
    const { page, problems } = studio;
    await page.selectOption('#note-instrument', 'flute'); // plays the selected pitch (C4) at once
    await page.waitForFunction(`document.querySelector('#note-title').textContent.endsWith('· flute')`, undefined, { timeout: 60_000 });
    const seed = Number(await page.inputValue('#note-seed'));
    assert.equal(await page.textContent('#note-title'), `C4 · velocity 100 · seed ${seed} · flute`);
    const filename = (await page.getAttribute('#note-file .download', 'download'))!;
    assert.equal(filename, `${TIMBRE_MODEL}_C4-60_v100_seed${seed}_flute.wav`);
    const shown = Uint8Array.from((await page.evaluate(pageBytes((await page.getAttribute('#note-file .download', 'href'))!))) as number[]);
    const ask = (instrument?: string) =>
      fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: TIMBRE_MODEL, pitch: 60, seed, instrument }) }).then(async (r) => new Uint8Array(await r.arrayBuffer()));
    assert.deepEqual(shown, await ask('flute'));
    // Another instrument is another note (not one replayed from memory under the same key).
    await page.selectOption('#note-instrument', 'reed');
    await page.waitForFunction(`document.querySelector('#note-title').textContent.endsWith('· reed')`, undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#note-status'))!, /made in \d+ ms/);
    const reed = Uint8Array.from((await page.evaluate(pageBytes((await page.getAttribute('#note-file .download', 'href'))!))) as number[]);
    assert.deepEqual(reed, await ask('reed'));
    assert.notDeepEqual(reed, shown);
    await screenshot(page, 'client-notes-instrument-choice');
    assert.deepEqual(realProblems(problems, shelf), []);
  });

  it('blends on the pad within the chosen instrument', async () => {
    const { page } = studio;
    await page.locator('body').press('KeyQ');
    await page.focus('.pad-surface');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(`document.querySelector('#note-title').textContent.includes('pad')`, undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#note-title'))!, /· reed$/);
    assert.match((await page.getAttribute('#note-file .download', 'download'))!, /^notes-timbre_C4-60_v100_pad-\d+-\d+-\d+-\d+-x0\.55-y0\.50_reed\.wav$/);
    await page.locator('body').press('KeyQ'); // back to the seed
  });

  it('builds the instrument in the chosen instrument', async () => {
    const { page, problems } = studio;
    await page.click('#build-instrument');
    await page.waitForSelector('.instrument[data-ready="true"]', { timeout: 180_000 });
    const seed = await page.inputValue('#note-seed');
    assert.match((await page.textContent('#instrument-status'))!, new RegExp(`Ready: 61 samples \\(seed ${seed} · reed, C1–C6\\)`));
    assert.equal(await page.getAttribute('#instrument-file .download', 'download'), `${TIMBRE_MODEL}_seed${seed}_reed_C1-C6.zip`);
    assert.deepEqual(realProblems(problems, shelf), []);
  });

  it('hides the choice again, and sends no instrument, for a model without any', async () => {
    const { page, problems } = studio;
    await page.uncheck('#play-sampler');
    await page.selectOption('#note-model', PLAIN_MODEL);
    await page.waitForSelector('#note-instrument', { state: 'hidden' });
    await page.click('#generate-note');
    await page.waitForFunction(`document.querySelector('#note-file .download')?.getAttribute('download').startsWith(${JSON.stringify(PLAIN_MODEL)})`, undefined, { timeout: 60_000 });
    const seed = await page.inputValue('#note-seed');
    assert.equal(await page.getAttribute('#note-file .download', 'download'), `${PLAIN_MODEL}_C4-60_v100_seed${seed}.wav`);
    // Back on the model with instruments, the choice starts from the timbre again (the plain model had no "reed").
    await page.selectOption('#note-model', TIMBRE_MODEL);
    await page.waitForSelector('#note-instrument', { state: 'visible' });
    assert.equal(await page.inputValue('#note-instrument'), '');
    assert.deepEqual(realProblems(problems, shelf), []);
  });
});
