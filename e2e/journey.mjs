// Hearth browser journey: sign in (wrong then right password), search the
// register, open a patient. Plain Node script, no test framework.
//
// Environment:
//   HEARTH_BASE_URL        e.g. http://127.0.0.1:43211 (required)
//   HEARTH_EMAIL           account email (required)
//   HEARTH_PASSWORD        account password (required)
//   HEARTH_SEARCH          patient family name to search for (required)
//   HEARTH_SCREENSHOT_DIR  where PNGs go; created if missing (required)
//   CHROMIUM_PATH          browser binary (default /usr/bin/chromium)
//
// Prints one `ok: <step>` line per step. On failure prints
// `FAIL: <step>: <error>`, saves failure.png and exits 1.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const OVERALL_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 15_000;

function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.log(`FAIL: environment: ${name} is not set`);
    process.exit(1);
  }
  return value;
}

const base = env('HEARTH_BASE_URL').replace(/\/+$/, '');
const email = env('HEARTH_EMAIL');
const password = env('HEARTH_PASSWORD');
const search = env('HEARTH_SEARCH');
const shotDir = env('HEARTH_SCREENSHOT_DIR');
const executablePath = env('CHROMIUM_PATH', '/usr/bin/chromium');

mkdirSync(shotDir, { recursive: true });
const shot = (name) => path.join(shotDir, name);

let browser;
let page;
let current = 'launch browser';
let finished = false;

function pathOf(url) {
  return new URL(url).pathname;
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function closeBrowser() {
  if (!browser) return;
  const b = browser;
  browser = undefined;
  await Promise.race([
    b.close().catch(() => {}),
    new Promise((resolve) => setTimeout(resolve, 5_000)),
  ]);
}

async function fail(error) {
  if (finished) return;
  finished = true;
  const message = (error && error.message ? error.message : String(error))
    .split('\n')[0];
  console.log(`FAIL: ${current}: ${message}`);
  if (page) {
    await Promise.race([
      page.screenshot({ path: shot('failure.png'), fullPage: true }).catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
  }
  await closeBrowser();
  process.exit(1);
}

const overall = setTimeout(() => {
  fail(new Error(`overall timeout of ${OVERALL_TIMEOUT_MS / 1000} s exceeded`));
}, OVERALL_TIMEOUT_MS);

async function step(what, body) {
  current = what;
  await body();
  console.log(`ok: ${what}`);
}

async function signIn(pass) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(pass);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState('load');
}

async function main() {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  page = await context.newPage();
  console.log(`ok: launch ${browser.version()}`);

  await step('signed-out /register redirects to /sign-in', async () => {
    await page.goto(`${base}/register`);
    const p = pathOf(page.url());
    expect(p === '/sign-in', `expected path /sign-in, got ${page.url()}`);
    await page.getByLabel('Email', { exact: true }).waitFor({ state: 'visible' });
    await page.screenshot({ path: shot('01-sign-in.png') });
  });

  await step('wrong password shows an alert', async () => {
    await signIn(`${password}-wrong`);
    const alert = page.getByRole('alert').first();
    await alert.waitFor({ state: 'visible' });
    const text = (await alert.innerText()).trim();
    expect(text.length > 0, 'role=alert is visible but empty');
    expect(pathOf(page.url()) !== '/register', 'wrong password reached /register');
    await page.screenshot({ path: shot('02-wrong-password.png') });
  });

  await step('right password lands on /register', async () => {
    await signIn(password);
    await page.waitForURL((url) => url.pathname === '/register');
    await page.getByRole('heading', { level: 1 }).first().waitFor({ state: 'visible' });
    await page.screenshot({ path: shot('03-register.png') });
  });

  await step(`search "${search}" and open the patient`, async () => {
    const box = page.getByRole('searchbox', { name: 'Search patients' });
    await box.fill(search);
    await box.press('Enter');
    // The form is a plain GET form, so the URL gains ?q=. (If it is ever
    // swapped in by htmx without pushing the URL, fall through to the table.)
    await page
      .waitForURL((url) => url.searchParams.get('q') === search, { timeout: 5_000 })
      .catch(() => {});
    await page.waitForLoadState('load');
    const link = page.locator('table').getByRole('link').filter({ hasText: search }).first();
    await link.waitFor({ state: 'visible' });
    await link.click();
    await page.waitForURL((url) => /^\/patients\/[^/]+\/?$/.test(url.pathname));
    const h1 = page.getByRole('heading', { level: 1 }).first();
    await h1.waitFor({ state: 'visible' });
    const heading = await h1.innerText();
    expect(
      heading.toLowerCase().includes(search.toLowerCase()),
      `h1 "${heading.trim()}" does not contain "${search}"`,
    );
    await page.screenshot({ path: shot('04-patient.png'), fullPage: true });
  });

  finished = true;
  clearTimeout(overall);
  await closeBrowser();
  console.log('ok: journey complete');
}

main().catch(fail);
