import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startStudioServer, type StudioServer } from '../../../server/api/app.js';
import { parseDownloadUrlData } from '../../../client/src/dom/download-url.js';
import { decodeWav } from '../../../client/src/audio/wav-decode.js';
import { ensureClientBuilt, launchChromium, openStudio, realProblems, screenshot, serverHasFileShelf, type Browser, type StudioPage } from './chromium.js';
import { AUDIO_DATA_DIR, MODELS_DIR, NOTES_MODEL, tinyNoteModel } from './fixtures.js';

/** Bytes behind a URL the page can fetch (a blob: URL of a download button), as an array of numbers. */
const pageBytes = (url: string) => `fetch(${JSON.stringify(url)}).then((r) => r.arrayBuffer()).then((b) => Array.from(new Uint8Array(b)))`;

/** How much a canvas's pixels vary: 0 for a blank or uniform canvas. */
const canvasVariance = (selector: string) => `(() => {
  const c = document.querySelector(${JSON.stringify(selector)});
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let sum = 0, sum2 = 0, n = 0;
  for (let i = 0; i < d.length; i += 4) { const v = d[i] + d[i + 1] + d[i + 2]; sum += v; sum2 += v * v; n++; }
  return sum2 / n - (sum / n) ** 2;
})()`;

/** The DownloadURL data a dragstart on `selector` puts on the drag. */
const dragData = (selector: string) => `(() => {
  const transfer = new DataTransfer();
  document.querySelector(${JSON.stringify(selector)}).dispatchEvent(new DragEvent('dragstart', { dataTransfer: transfer, bubbles: true }));
  return { downloadUrl: transfer.getData('DownloadURL'), uri: transfer.getData('text/uri-list') };
})()`;

describe('web client in Chromium: notes panel against a real server and a tiny note model', function () {
  this.timeout(300_000);
  let server: StudioServer;
  let browser: Browser;
  let studio: StudioPage;
  let stateDir: string;
  let shelf: boolean;

  before(async () => {
    ensureClientBuilt();
    await tinyNoteModel();
    stateDir = mkdtempSync(path.join(tmpdir(), 'studio-client-notes-'));
    server = await startStudioServer({ port: 0, modelsDirs: [MODELS_DIR], stateDir, audioDataDir: AUDIO_DATA_DIR, midiDataDir: path.join(stateDir, 'midi') });
    await server.preloaded;
    shelf = await serverHasFileShelf(server.url);
    browser = await launchChromium();
    studio = await openStudio(browser.context, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('loads without console errors, connected, with the model listed', async () => {
    const { page, problems } = studio;
    await page.waitForSelector(`#note-model option[value="${NOTES_MODEL}"]`, { state: 'attached' });
    assert.equal(await page.inputValue('#note-model'), NOTES_MODEL);
    assert.equal(await page.isEnabled('#generate-note'), true);
    await page.waitForSelector('#model-counts');
    assert.match((await page.textContent('#model-counts'))!, /1 note model/);
    assert.deepEqual(realProblems(problems, shelf), []);
  });

  it("plays a note from the on-screen piano: the server's audio arrives, waveform and spectrogram are drawn", async () => {
    const { page, problems } = studio;
    await page.click('.piano .key[data-pitch="60"]');
    await page.waitForSelector('#note-spectrogram[data-drawn="true"]', { timeout: 60_000 });
    await page.waitForFunction(`document.querySelector('#note-title').textContent.startsWith('C4')`);
    const seed = Number(await page.inputValue('#note-seed'));
    assert.match((await page.textContent('#note-title'))!, new RegExp(`^C4 · velocity 100 · seed ${seed}$`));
    assert.match((await page.textContent('#note-status'))!, /made in \d+ ms/);
    // The page drew real pictures, not blank canvases.
    assert.ok((await page.evaluate(canvasVariance('#note-spectrogram'))) as number > 10);
    assert.ok((await page.evaluate(canvasVariance('#note-waveform'))) as number > 10);
    const frames = Number(await page.getAttribute('#note-spectrogram', 'data-frames'));
    // The tiny model makes 0.5 s at 16 kHz: 8000 samples, a frame every 256 -> 32 frames (+1 centred frame).
    assert.equal(frames, Math.floor(8000 / 256) + 1);
    // The file offered for download is the same WAV the server makes for this model, pitch, velocity and seed.
    const href = (await page.getAttribute('#note-file .download', 'href'))!;
    const filename = (await page.getAttribute('#note-file .download', 'download'))!;
    assert.equal(filename, `${NOTES_MODEL}_C4-60_v100_seed${seed}.wav`);
    const shown = Uint8Array.from((await page.evaluate(pageBytes(href))) as number[]);
    const response = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: NOTES_MODEL, pitch: 60, velocity: 100, seed }) });
    assert.equal(response.status, 200);
    const expected = new Uint8Array(await response.arrayBuffer());
    assert.equal(decodeWav(shown).frames, decodeWav(expected).frames);
    assert.deepEqual(shown, expected);
    assert.equal(await page.evaluate(`document.querySelectorAll('#recent-notes li').length`), 1);
    await screenshot(page, 'client-notes');
    assert.deepEqual(realProblems(problems, shelf), []);
  });

  it('replays a note it already has from memory, and plays pitches from the computer keyboard', async () => {
    const { page } = studio;
    await page.click('.piano .key[data-pitch="60"]');
    await page.waitForFunction(`document.querySelector('#note-status').textContent.includes('replayed from memory')`);
    await page.locator('body').press('KeyS'); // D4 at octave 4
    await page.waitForFunction(`document.querySelector('#note-title').textContent.startsWith('D4')`, undefined, { timeout: 60_000 });
    await page.locator('body').press('KeyX'); // octave up: A is now C5
    await page.locator('body').press('KeyA');
    await page.waitForFunction(`document.querySelector('#note-title').textContent.startsWith('C5')`, undefined, { timeout: 60_000 });
    assert.equal(await page.textContent('#note-octave'), '5');
  });

  it('blends timbres on the XY pad: the note is made from the blended latent and named after it', async () => {
    const { page, problems } = studio;
    await page.locator('body').press('KeyQ');
    assert.equal(await page.isChecked('#note-use-pad'), true);
    await page.focus('.pad-surface');
    await page.keyboard.press('ArrowRight'); // x 0.55: a new blend, generated at once
    await page.waitForFunction(`document.querySelector('#note-title').textContent.includes('pad')`, undefined, { timeout: 60_000 });
    const filename = (await page.getAttribute('#note-file .download', 'download'))!;
    assert.match(filename, /^notes-tiny_C5-72_v100_pad-\d+-\d+-\d+-\d+-x0\.55-y0\.50\.wav$/);
    await screenshot(page, 'client-notes-pad');
    assert.deepEqual(realProblems(problems, shelf), []);
  });

  it('gives every note a drag handle carrying its DownloadURL (mime:filename:url of the same bytes)', async function () {
    const { page } = studio;
    await page.waitForFunction(`document.querySelector('#note-file .file-handle').dataset.share !== 'sharing'`);
    const share = await page.getAttribute('#note-file .file-handle', 'data-share');
    if (share === 'unavailable') {
      const why = await page.getAttribute('#note-file .drag', 'title');
      // The server's shared-file shelf (protocol SHARED_FILES_PATH) is what makes an http URL for drag-out; until
      // the server has it, the page must say so (and this test cannot check more).
      assert.equal(shelf, false, `drag-out unavailable although the server has a shelf: ${why}`);
      assert.match(why ?? '', /no shared-file shelf/);
      this.skip();
    }
    const { downloadUrl, uri } = (await page.evaluate(dragData('#note-file .drag'))) as { downloadUrl: string; uri: string };
    const parsed = parseDownloadUrlData(downloadUrl)!;
    const filename = (await page.getAttribute('#note-file .download', 'download'))!;
    assert.equal(parsed.mimeType, 'audio/wav');
    assert.equal(parsed.filename, filename);
    assert.equal(uri, parsed.url);
    assert.ok(parsed.url.startsWith(server.url));
    const served = await fetch(parsed.url);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'audio/wav');
    assert.match(served.headers.get('content-disposition') ?? '', new RegExp(filename.replace(/\./g, '\\.')));
    const href = (await page.getAttribute('#note-file .download', 'href'))!;
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), Uint8Array.from((await page.evaluate(pageBytes(href))) as number[]));
  });

  it('builds an instrument across the model range and plays the keys with it', async () => {
    const { page, problems } = studio;
    await page.locator('body').press('KeyQ'); // back to the seed timbre
    await page.click('#build-instrument');
    await page.waitForSelector('.instrument[data-ready="true"]', { timeout: 180_000 });
    assert.match((await page.textContent('#instrument-status'))!, /Ready: 61 samples/);
    assert.equal(await page.isChecked('#play-sampler'), true);
    const zipName = (await page.getAttribute('#instrument-file .download', 'download'))!;
    const seed = await page.inputValue('#note-seed');
    assert.equal(zipName, `${NOTES_MODEL}_seed${seed}_C1-C6.zip`);
    // With the sampler chosen, a key plays at once without asking the server.
    const before = await page.textContent('#note-title');
    await page.click('.piano .key[data-pitch="67"]');
    await page.waitForTimeout(300);
    assert.equal(await page.textContent('#note-title'), before);
    await screenshot(page, 'client-notes-instrument');
    assert.deepEqual(realProblems(problems, shelf), []);
  });

  it('says so when the server goes away, and refuses to pretend', async () => {
    const { page } = studio;
    await server.close();
    await page.waitForSelector('#connection-state[data-state="offline"]', { timeout: 30_000 });
    await page.uncheck('#play-sampler');
    await page.click('.piano .key[data-pitch="64"]');
    await page.waitForSelector('.message.error');
    assert.match((await page.textContent('.message.error'))!, /Generate note E4: not connected to the server.*\(OFFLINE\)/);
    await screenshot(page, 'client-offline');
  });
});
