// The page of `facealert serve` in real Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core from npm; no browser is downloaded), phone-sized.
// Called by test-serve-browser.c:
//
//   node serve-browser.mjs SERVERS_DIR URL PASSWORD ARTIFACTS_DIR ALERT_ID PHOTO
//
// Logs in (after a wrong password), sees the alert with its snapshot, plays
// its clip (the video reaches readyState >= 2), sees the camera, adds a
// person from a photo and sees them in the collection, sees a sighting with
// its face crop and enrols it (a step that fails without sightings), logs out. Screenshots go to ARTIFACTS_DIR. Exits 0 when
// every step passed; any page error fails the run.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [servers, url, password, artifacts, alertId, photo] = process.argv.slice(2);
const require = createRequire(join(servers, 'node_modules', 'x.js'));
const { chromium } = require('playwright-core');

const step = (text) => console.log('browser: ' + text);
const userData = mkdtempSync(join(tmpdir(), 'facealert-chromium-'));
mkdirSync(artifacts, { recursive: true });
const pageErrors = [];
let context;

async function shot (page, name) {
  await page.screenshot({ path: join(artifacts, name + '.png'), fullPage: true });
}

try {
  context = await chromium.launchPersistentContext(userData, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      '--autoplay-policy=no-user-gesture-required'],
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(30000);
  const page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => dialog.accept());

  // Without a session: the login form and nothing else.
  await page.goto(url + '/');
  await page.waitForSelector('#password');
  if (await page.locator('nav').count() !== 0) throw new Error('the page shows more than the login form');
  await page.fill('#password', 'not the password');
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Wrong password.');
  await shot(page, '01-login-refused');
  step('a wrong password is refused');

  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('body[data-ready=true]');
  step('logged in');

  // The alert, with its snapshot loaded.
  const card = page.locator(`.alert[data-id="${alertId}"]`);
  await card.waitFor();
  await page.waitForFunction((id) => {
    const img = document.querySelector(`.alert[data-id="${id}"] img.snapshot`);
    return img && img.complete && img.naturalWidth > 0;
  }, alertId);
  await shot(page, '02-alerts');
  step('the alert and its snapshot are shown');

  // Tap: its clip plays.
  await card.click();
  await page.waitForFunction((id) => {
    const video = document.querySelector(`.alert[data-id="${id}"] video.clip`);
    return video && video.readyState >= 2 && video.videoWidth > 0;
  }, alertId, { timeout: 60000 });
  const clip = await page.evaluate((id) => {
    const v = document.querySelector(`.alert[data-id="${id}"] video.clip`);
    return { readyState: v.readyState, duration: v.duration, width: v.videoWidth };
  }, alertId);
  if (!(clip.duration > 1)) throw new Error('the clip is too short: ' + JSON.stringify(clip));
  await shot(page, '03-clip');
  step('the clip plays: ' + JSON.stringify(clip));

  // The camera and its latest frame.
  await page.click('nav a[data-tab=cameras]');
  await page.waitForFunction(() => {
    const img = document.querySelector('.camera[data-name="cam1"] img.latest');
    return img && img.complete && img.naturalWidth > 0;
  });
  // Its status from facealert-run's status file: the run has ended.
  const cameraStatus = await page.textContent('.camera[data-name="cam1"] .status');
  const details = await page.textContent('.camera[data-name="cam1"] .meta:last-child');
  if (cameraStatus.trim() !== 'stopped' || !details.includes('0 dropped frames'))
    throw new Error('camera status: ' + cameraStatus + ' / ' + details);
  await shot(page, '04-cameras');
  step('the camera is shown with its latest frame and status: ' + cameraStatus + ', ' + details);

  // People: the household member the CLI enrolled, then a new one from a photo.
  await page.click('nav a[data-tab=people]');
  await page.waitForSelector('.person[data-name="John_Lennon"]');
  await page.fill('#person-name', 'Amy_Adams');
  await page.setInputFiles('#person-photo', photo);
  await page.click('#add-face button[type=submit]');
  await page.waitForFunction(() => {
    const img = document.querySelector('.person[data-name="Amy_Adams"] img');
    return img && img.complete && img.naturalWidth > 0;
  });
  await shot(page, '05-people');
  step('a person added from a photo is in the collection');

  // Sightings: the fixture's pipeline run recorded them (facematch writes
  // them); one is shown with its face crop and enrolled from the page.
  const sightingsTab = page.locator('#sightings-tab');
  await sightingsTab.waitFor({ state: 'visible', timeout: 10000 }).catch(() => {
    throw new Error('the Sightings tab is hidden: the page lists no sightings store');
  });
  await sightingsTab.click();
  // The tab reloads the list: take a card of that load, not of the one before.
  await page.waitForSelector('#sightings[data-loaded="true"]');
  const first = page.locator('.sighting').first();
  await first.waitFor({ timeout: 10000 }).catch(() => {
    throw new Error('no sighting is listed');
  });
  const id = await first.getAttribute('data-id');
  const shown = page.locator(`.sighting[data-id="${id}"]`).first();
  await shown.locator('img.crop').scrollIntoViewIfNeeded();
  await page.waitForFunction((sid) => {
    const img = document.querySelector(`.sighting[data-id="${sid}"] img.crop`);
    return img && img.complete && img.naturalWidth > 0;
  }, id);
  await shot(page, '06-sightings');
  step('sighting ' + id + ' is shown with its face crop');
  await shown.locator('input.name').fill('Charlie_Chaplin');
  await shown.locator('button.enrol').click();
  await page.waitForSelector(`.sighting[data-id="${id}"][data-name="Charlie_Chaplin"]`);
  await page.waitForSelector('text=Enrolled as Charlie_Chaplin');
  await shot(page, '07-sighting-enrolled');
  await page.click('nav a[data-tab=people]');
  await page.waitForSelector('.person[data-name="Charlie_Chaplin"]');
  await shot(page, '08-people-after-sighting');
  // test-serve-browser.c checks the store for this line's sighting.
  step('enrolled sighting ' + id + ' as Charlie_Chaplin, who is in the collection');

  // Delete the added person's photo again.
  await page.click('nav a[data-tab=people]');
  await page.click('.person[data-name="Amy_Adams"] .face button');
  await page.waitForSelector('.person[data-name="Amy_Adams"]', { state: 'detached' });
  step('a photo is deleted');

  // Log out: the login form again, and the data is closed.
  await page.click('#logout button');
  await page.waitForSelector('#password');
  const status = await page.evaluate(async () => (await fetch('/ui/alerts')).status);
  if (status !== 401) throw new Error('after logout /ui/alerts answered ' + status);
  await shot(page, '09-logged-out');
  step('logged out');

  if (pageErrors.length) throw new Error('page errors: ' + pageErrors.join('; '));
  console.log('browser: all steps passed');
} catch (error) {
  console.error('browser: FAILED: ' + (error && error.stack || error));
  if (pageErrors.length) console.error('browser: page errors: ' + pageErrors.join('; '));
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(userData, { recursive: true, force: true });
}
