import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startStudioServer, type StudioServer } from '../../../server/api/app.js';
import { ensureClientBuilt, launchChromium, openStudio, realProblems, screenshot, serverHasFileShelf, type Browser, type StudioPage } from './chromium.js';
import { AUDIO_DATA_DIR, NOTES_DATASET, noteDataset } from './fixtures.js';

describe('web client in Chromium: training page with a real tiny job', function () {
  this.timeout(300_000);
  let server: StudioServer;
  let browser: Browser;
  let studio: StudioPage;
  let dir: string;
  let shelf: boolean;

  before(async () => {
    ensureClientBuilt();
    await noteDataset();
    dir = mkdtempSync(path.join(tmpdir(), 'studio-client-training-'));
    server = await startStudioServer({ port: 0, modelsDirs: [path.join(dir, 'models')], stateDir: path.join(dir, 'state'), audioDataDir: AUDIO_DATA_DIR, midiDataDir: path.join(dir, 'midi') });
    shelf = await serverHasFileShelf(server.url);
    browser = await launchChromium();
    studio = await openStudio(browser.context, `${server.url}/#training`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts a tiny note training job and shows its progress, losses, ETA and previews live', async () => {
    const { page, problems } = studio;
    assert.equal(await page.isVisible('#training-panel'), true);
    await page.selectOption('#train-kind', 'train-notes');
    await page.fill('#train-model', 'notes-ui-tiny');
    await page.selectOption('#train-preset', 'tiny');
    await page.fill('#train-steps', '6');
    await page.fill('#train-data', NOTES_DATASET);
    await page.click('#start-training');
    await page.waitForSelector('.job-detail[data-state="running"]', { timeout: 60_000 });
    // Progress arrives while it runs: a step count, a rate and an ETA.
    // First the trainer loads its notes (a phase of its own), then the steps count up.
    await page.waitForFunction(`document.querySelector('.job-detail').dataset.state === 'running' && /^training: [1-5] \\/ 6/.test(document.querySelector('#job-figures').textContent)`, undefined, { timeout: 120_000 });
    const running = (await page.textContent('#job-figures'))!;
    assert.match(running, /^training: \d \/ 6 · \d+\.\d %/);
    assert.match(running, /ETA /);
    await screenshot(page, 'client-training-running');
    await page.waitForSelector('.job-detail[data-state="succeeded"]', { timeout: 180_000 });
    assert.equal(await page.getAttribute('.job-detail', 'data-done'), '6');
    assert.ok((await page.$$('#job-losses .loss')).length >= 1, 'the latest losses are listed');
    assert.ok(Number(await page.getAttribute('#loss-chart', 'data-points')) >= 2, 'the loss chart has points');
    assert.ok((await page.getAttribute('#loss-chart', 'data-series'))!.length > 0, 'and named curves');
    // The checkpoint's preview notes are listed, playable and downloadable.
    await page.waitForSelector('#job-previews .preview');
    const previews = await page.$$eval('#job-previews .preview', (items) => items.map((i) => i.getAttribute('data-url')));
    assert.ok(previews.length > 0 && previews.every((u) => /^\/api\/models\/notes-ui-tiny\/previews\/.+\.wav$/.test(u ?? '')), previews.join(', '));
    const response = await fetch(`${server.url}${previews[0]}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'audio/wav');
    await page.click('#job-previews .preview button');
    await page.waitForTimeout(500);
    // The finished model is offered on the notes panel.
    await page.locator('body').press('Digit1');
    await page.waitForSelector('#note-model option[value="notes-ui-tiny"]', { state: 'attached', timeout: 30_000 });
    await page.locator('body').press('Digit3');
    await screenshot(page, 'client-training-done');
    assert.deepEqual(realProblems(problems, shelf), []);
  });

  it('cancels a running job and resumes it from its checkpoint', async () => {
    const { page, problems } = studio;
    await page.fill('#train-model', 'notes-ui-long');
    await page.fill('#train-steps', '2000');
    await page.click('#start-training');
    await page.waitForFunction(`document.querySelector('.job-detail').dataset.state === 'running' && Number(document.querySelector('.job-detail').dataset.done) >= 1 && document.querySelector('#job-title').textContent.includes('notes-ui-long')`, undefined, { timeout: 120_000 });
    await page.click('#cancel-job');
    await page.waitForSelector('.job-detail[data-state="cancelled"]', { timeout: 60_000 });
    assert.equal(await page.isEnabled('#cancel-job'), false);
    await page.waitForSelector('#resume-job:not([disabled])');
    await page.click('#resume-job');
    await page.waitForFunction(`['queued', 'running'].includes(document.querySelector('.job-detail').dataset.state)`, undefined, { timeout: 30_000 });
    // The resumed run is shown as the job's second run (the title follows the job view the server pushes).
    await page.waitForFunction(`/run 2/.test(document.querySelector('#job-title').textContent)`, undefined, { timeout: 30_000 });
    assert.match((await page.textContent('#job-title'))!, /run 2/);
    await page.click('#cancel-job');
    await page.waitForSelector('.job-detail[data-state="cancelled"]', { timeout: 60_000 });
    const rows = await page.$$eval('#job-list tr', (trs) => trs.map((tr) => tr.textContent));
    assert.ok(rows.some((r) => r?.includes('notes-ui-long') && r.includes('cancelled')));
    assert.ok(rows.some((r) => r?.includes('notes-ui-tiny') && r.includes('succeeded')));
    await screenshot(page, 'client-training-cancelled');
    assert.deepEqual(realProblems(problems, shelf), []);
  });
});
