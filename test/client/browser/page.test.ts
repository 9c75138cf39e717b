import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startStudioServer, type StudioServer } from '../../../server/api/app.js';
import { ensureClientBuilt, launchChromium, openStudio, screenshot, type Browser, type StudioPage } from './chromium.js';

describe('web client in Chromium: the page on a server without models', function () {
  this.timeout(120_000);
  let server: StudioServer;
  let browser: Browser;
  let studio: StudioPage;
  let dir: string;

  before(async () => {
    ensureClientBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'studio-client-page-'));
    server = await startStudioServer({ port: 0, modelsDirs: [path.join(dir, 'models')], stateDir: path.join(dir, 'state'), audioDataDir: path.join(dir, 'audio'), midiDataDir: path.join(dir, 'midi') });
    browser = await launchChromium();
    studio = await openStudio(browser.context, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is served at / by the studio server and loads without console errors', async () => {
    const { page, problems } = studio;
    assert.equal(await page.title(), 'Studio');
    const response = await fetch(`${server.url}/app.js`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /javascript/);
    await page.waitForSelector('#model-counts');
    assert.deepEqual(problems, []);
  });

  it('says plainly that there are no models yet, and disables what needs one', async () => {
    const { page } = studio;
    await page.waitForFunction(`document.querySelector('#note-model').textContent.includes('no note models yet')`);
    assert.equal(await page.isDisabled('#generate-note'), true);
    assert.equal(await page.isDisabled('#build-instrument'), true);
    assert.match((await page.textContent('#model-counts'))!, /0 note models, 0 loop models/);
    await screenshot(page, 'client-empty-notes');
  });

  it('switches panels with 1 2 3 and the arrow keys, keeping the panel in the address', async () => {
    const { page, problems } = studio;
    await page.locator('body').press('Digit2');
    assert.equal(await page.isVisible('#loops-panel'), true);
    assert.equal(await page.isVisible('#notes-panel'), false);
    assert.equal(new URL(page.url()).hash, '#loops');
    assert.match((await page.textContent('#loop-model'))!, /no loop models yet/);
    assert.equal(await page.isDisabled('#generate-loop'), true);
    await screenshot(page, 'client-empty-loops');
    await page.focus('#tab-loops');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.isVisible('#training-panel'), true);
    assert.equal(await page.getAttribute('#tab-training', 'aria-selected'), 'true');
    await page.waitForSelector('#job-list');
    assert.match((await page.textContent('#job-list'))!, /No jobs yet/);
    await screenshot(page, 'client-empty-training');
    // A reload comes back to the same panel.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.isVisible('#training-panel'), true);
    assert.deepEqual(problems, []);
  });

  it('lists the keyboard shortcuts on ?', async () => {
    const { page } = studio;
    await page.locator('body').press('Shift+Slash');
    await page.waitForSelector('dialog#help[open]');
    assert.match((await page.textContent('dialog#help'))!, /Space.*play \/ stop/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog#help:not([open])', { state: 'attached' });
  });

  it("shows the server's refusal of a bad request instead of failing silently", async () => {
    const { page } = studio;
    // A model id the server cannot have: the ack's error (code and message) is shown to the user.
    await page.locator('body').press('Digit3');
    await page.fill('#train-model', 'x'.repeat(64) + 'toolong');
    await page.evaluate(`document.querySelector('#train-model').removeAttribute('pattern')`);
    await page.click('#start-training');
    await page.waitForSelector('.message.error');
    assert.match((await page.textContent('.message.error'))!, /Start training: .*\(BAD_INPUT\)/);
    await screenshot(page, 'client-error-message');
  });
});
