// Hearth browser journey for transitions of care (issue 7): the ward's discharge coordinator
// plans the discharge of a patient in hospital; the district nurse, with the patient's page
// open, sees it arrive without a reload and raises a concern about anticipatory medicines (an
// urgent conversation with the ward); the ward resolves it (ticks the medicines) and says the
// patient is ready; the nurse accepts; the ward records the discharge; the list of patients who
// arrived home today shows the patient, ready for out of hours. Plain Node script.
//
// Environment:
//   HEARTH_BASE_URL        e.g. http://127.0.0.1:43211 (required)
//   HEARTH_WARD_EMAIL      the demo discharge coordinator (required)
//   HEARTH_NURSE_EMAIL     the demo district nurse (required)
//   HEARTH_PASSWORD        the demo password (required)
//   HEARTH_SCREENSHOT_DIR  where PNGs go; created if missing (required)
//   CHROMIUM_PATH          browser binary (default /usr/bin/chromium)
//
// Prints one `ok: <step>` line per step; on failure `FAIL: <step>: <error>`, saves
// discharge-failure.png and exits 1.

import { base, expect, londonDateTime, need, newPage, run, shot, signIn, step, watch } from './harness.mjs';

const wardEmail = need('HEARTH_WARD_EMAIL');
const nurseEmail = need('HEARTH_NURSE_EMAIL');

/** A `datetime-local` value `minutes` from now in the deployment's time zone. */
const localIn = (minutes) => londonDateTime(new Date(Date.now() + minutes * 60_000));

async function main() {
  const ward = await newPage();
  const nurse = await newPage();
  let page;
  let name;

  await step('the ward finds its patient in hospital with no discharge planned', async () => {
    await signIn(ward, wardEmail);
    await signIn(nurse, nurseEmail);
    await ward.goto(`${base}/register`);
    const links = await ward.locator('table tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) {
      if (!/^\/patients\/[^/]+$/.test(href)) continue;
      await ward.goto(`${base}${href}/transitions`);
      if (await ward.getByRole('heading', { name: 'Plan the discharge' }).count() > 0) {
        page = `${href}/transitions`;
        break;
      }
    }
    expect(page, 'a patient of the ward in hospital without a planned discharge');
    name = (await ward.locator('.lead strong').textContent()).trim();
  });

  await step('the ward plans the discharge; the nurse sees it arrive live', async () => {
    await nurse.goto(`${base}${page}`);
    expect(await nurse.getByRole('heading', { name: /Discharge planned for/ }).count() === 0, 'none planned yet');
    await ward.getByLabel('Planned date and time').fill(localIn(26 * 60));
    await ward.getByLabel('Going to').selectOption('home');
    await ward.screenshot({ path: shot('60-plan-discharge.png'), fullPage: true });
    await ward.getByRole('button', { name: 'Plan the discharge' }).click();
    await ward.waitForURL((url) => url.pathname === page);
    watch(nurse);
    const before = nurse.url();
    await nurse.getByRole('heading', { name: /Discharge planned for/ }).waitFor({ timeout: 10_000 });
    expect(nurse.url() === before, 'the page was not reloaded');
    await nurse.screenshot({ path: shot('61-discharge-live.png'), fullPage: true });
  });

  await step('the nurse raises a concern about anticipatory medicines', async () => {
    await nurse.getByLabel('Raise a concern with the ward').fill('No anticipatory medicines on the plan: please prescribe them before discharge.');
    await nurse.getByRole('button', { name: 'Send the concern' }).click();
    await nurse.waitForURL(/\/conversations\/[^/]+$/);
    await nurse.getByText(/Concern about the discharge/).first().waitFor();
  });

  await step('the ward sees the concern, resolves it and says the patient is ready', async () => {
    watch(ward);
    await ward.goto(`${base}/inbox`);
    await ward.getByText(/Concern about the discharge/).first().waitFor();
    await ward.goto(`${base}${page}`);
    await ward.getByRole('button', { name: /^Done: Anticipatory medicines/ }).click();
    await ward.waitForURL((url) => url.pathname === page);
    await ward.getByRole('button', { name: /^Open again: Anticipatory medicines/ }).waitFor();
    await ward.getByRole('button', { name: 'The patient is ready' }).click();
    await ward.waitForURL((url) => url.pathname === page);
    await ward.getByText('Ready for discharge').first().waitFor();
  });

  await step('the nurse accepts the discharge', async () => {
    watch(nurse);
    await nurse.goto(`${base}${page}`);
    await nurse.getByRole('button', { name: 'Accept the discharge' }).click();
    await nurse.waitForURL((url) => url.pathname === page);
    await nurse.getByText(/Accepted by Sarah Okafor/).waitFor();
    await nurse.screenshot({ path: shot('62-discharge-accepted.png'), fullPage: true });
  });

  await step('the ward records the discharge; the patient is home', async () => {
    watch(ward);
    await ward.getByRole('button', { name: 'The patient has left' }).click();
    await ward.waitForURL((url) => url.pathname === page);
    await ward.locator('.lead', { hasText: 'Home since' }).waitFor();
  });

  await step('arrived home today, and ready for out of hours', async () => {
    watch(nurse);
    await nurse.goto(`${base}/arrivals`);
    const row = nurse.locator('tr', { hasText: name });
    await row.waitFor();
    expect(await row.getByText('Ready for out of hours').count() === 1, 'the arrival is ready for out of hours');
    await nurse.screenshot({ path: shot('63-arrived-home.png'), fullPage: true });
  });
}

run(main, { failureShot: 'discharge-failure.png' });
