// The shared harness of Hearth's browser journeys: environment, Chromium, named steps that print
// `ok: <step>`, a failure line with a screenshot, an overall time limit, and signing in and
// out. Each journey script imports it and supplies its steps.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** The value of environment variable `name`; exits with a FAIL line when it is not set. */
export function need(name) {
  const value = process.env[name];
  if (!value) {
    console.log(`FAIL: environment: ${name} is not set`);
    process.exit(1);
  }
  return value;
}

export const base = need('HEARTH_BASE_URL').replace(/\/+$/, '');
export const password = need('HEARTH_PASSWORD');
const shotDir = need('HEARTH_SCREENSHOT_DIR');
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
mkdirSync(shotDir, { recursive: true });

/** The path of screenshot `name` in the screenshot folder. */
export const shot = (name) => path.join(shotDir, name);

/** `date` as a `datetime-local` value (`2026-12-03T02:30`) in the deployment's time zone. */
export function londonDateTime(date) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(date).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

let browser;
let current = 'launch browser';
let failurePage;

/** A new page in its own browser context (its own cookies: one signed-in person each). */
export async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  failurePage = failurePage || page;
  return page;
}

/** The page screenshotted when a step fails (by default the first page opened). */
export function watch(page) {
  failurePage = page;
}

/** Runs one named step and prints `ok: <what>`. */
export async function step(what, body) {
  current = what;
  await body();
  console.log(`ok: ${what}`);
}

export async function signIn(page, email) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

export async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/\/sign-in/);
}

/**
 * Launches Chromium, runs `main`, and exits 0; on any failure prints
 * `FAIL: <step>: <error>`, saves `failureShot` and exits 1.
 */
export function run(main, { failureShot, timeoutMs = 90_000 }) {
  const overall = setTimeout(() => {
    console.log(`FAIL: ${current}: overall timeout of ${timeoutMs / 1000} s exceeded`);
    process.exit(1);
  }, timeoutMs);
  (async () => {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await main();
    await browser.close();
  })().then(() => {
    clearTimeout(overall);
    process.exit(0);
  }).catch(async (error) => {
    const message = String(error && error.message ? error.message : error);
    console.log(`FAIL: ${current}: ${message.split('\n').slice(0, 8).join(' | ')}`);
    if (failurePage) await failurePage.screenshot({ path: shot(failureShot), fullPage: true }).catch(() => {});
    if (browser) await browser.close().catch(() => {});
    process.exit(1);
  });
}
