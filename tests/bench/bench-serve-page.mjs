// Page load of `facealert serve` in Chromium (Debian's, via playwright-core):
// the login page, then the app page with a session up to its first data
// (body[data-ready]), 10 loads each after a warm-up, median and worst.
//   node bench-serve-page.mjs SERVERS_DIR URL PASSWORD
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [servers, url, password] = process.argv.slice(2);
const require = createRequire(join(servers, 'node_modules', 'x.js'));
const { chromium } = require('playwright-core');
const userData = mkdtempSync(join(tmpdir(), 'facealert-bench-'));
const context = await chromium.launchPersistentContext(userData, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 390, height: 844 },
});
const page = context.pages()[0] || await context.newPage();

async function time (load) {
  const samples = [];
  await load();
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await load();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[5], worst: samples[9] };
}

const login = await time(async () => {
  await page.goto(url + '/');
  await page.waitForSelector('#password');
});
await page.fill('#password', password);
await page.click('button[type=submit]');
await page.waitForSelector('body[data-ready=true]');
const app = await time(async () => {
  await page.goto(url + '/');
  await page.waitForSelector('body[data-ready=true]');
});
console.log(`bench-serve: page load: login page ${login.median.toFixed(0)} ms (worst ` +
  `${login.worst.toFixed(0)}), app page to its first data ${app.median.toFixed(0)} ms ` +
  `(worst ${app.worst.toFixed(0)}; ratio ${(app.median / login.median).toFixed(2)})`);
await context.close();
rmSync(userData, { recursive: true, force: true });
