// Hearth browser journey for emergency access (issue 4): the out-of-hours doctor, who is in no
// care team, finds a registered patient by NHS number, opens the record with a reason and sees
// the emergency banner; the patient's coordinator (the GP) sees the notice and the access report
// listing it; when the access expires the record is closed again (the server under test runs
// with a short `--emergency-access`, HEARTH_EMERGENCY_SECONDS says how short), and closing it
// early closes it at once. Plain Node script.
//
// Environment:
//   HEARTH_BASE_URL        e.g. http://127.0.0.1:43211 (required)
//   HEARTH_GP_EMAIL        the demo GP (required)
//   HEARTH_OOH_EMAIL       the demo out-of-hours doctor (required)
//   HEARTH_PASSWORD        the demo password (required)
//   HEARTH_EMERGENCY_SECONDS  how long the server keeps emergency access open (required)
//   HEARTH_SCREENSHOT_DIR  where PNGs go; created if missing (required)
//   CHROMIUM_PATH          browser binary (default /usr/bin/chromium)
//
// Prints one `ok: <step>` line per step; on failure `FAIL: <step>: <error>`, saves
// emergency-failure.png and exits 1.

import { base, expect, need, newPage, run, shot, signIn, signOut, step, watch } from './harness.mjs';

const gpEmail = need('HEARTH_GP_EMAIL');
const oohEmail = need('HEARTH_OOH_EMAIL');
const emergencySeconds = Number(need('HEARTH_EMERGENCY_SECONDS'));
async function main() {
  const page = await newPage();

  let patientPath;
  let nhsNumber;
  await step('the GP finds a registered patient she coordinates', async () => {
    await signIn(page, gpEmail);
    await page.goto(`${base}/register?coordinator=me`);
    patientPath = await page.locator('table tbody a').first().getAttribute('href');
    expect(patientPath, 'the GP coordinates someone on the register');
    await page.goto(`${base}${patientPath}`);
    const facts = await page.locator('.patient-banner').textContent();
    const match = facts.match(/(\d{3} \d{3} \d{4})/);
    expect(match, 'the patient page shows the NHS number');
    nhsNumber = match[1];
    await signOut(page);
  });

  await step('the out-of-hours doctor cannot open the record', async () => {
    await signIn(page, oohEmail);
    const response = await page.goto(`${base}${patientPath}`);
    expect(response.status() === 403, `expected 403, got ${response.status()}`);
    await page.getByText('not in this patient').first().waitFor();
    await page.screenshot({ path: shot('21-not-in-team.png'), fullPage: true });
  });

  await step('they find the patient by NHS number and give a reason', async () => {
    // (The refusal page also links straight to the form; the search is how a doctor starts
    // from a phone call with only the number.)
    await page.goto(`${base}/emergency`);
    await page.getByLabel('NHS number').fill(nhsNumber);
    await page.getByRole('button', { name: 'Find the patient' }).click();
    await page.getByRole('heading', { name: 'Is this the right person?' }).waitFor();
    await page.locator('input[name="reason"][value="urgent-care"]').check();
    await page.locator('textarea#detail').fill('Called by daughter at 02:10: breathless and distressed');
    await page.screenshot({ path: shot('22-emergency-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Open the record' }).click();
    await page.waitForURL((url) => url.pathname === patientPath);
  });

  await step('the record opens with the emergency banner', async () => {
    const banner = page.locator('.emergency-banner');
    await banner.waitFor();
    const text = await banner.textContent();
    expect(text.includes('Emergency access') && text.includes('breathless and distressed'),
      'the banner says why and until when');
    await page.screenshot({ path: shot('23-emergency-banner.png'), fullPage: true });
  });

  await step('when the access expires the record is closed again', async () => {
    const deadline = Date.now() + (emergencySeconds + 10) * 1000;
    let status = 200;
    while (status !== 403 && Date.now() < deadline) {
      await page.waitForTimeout(1000);
      status = (await page.goto(`${base}${patientPath}`)).status();
    }
    expect(status === 403, `still open ${emergencySeconds + 10} s after opening (status ${status})`);
    await page.screenshot({ path: shot('23b-emergency-expired.png'), fullPage: true });
  });

  await step('opened again and closed early, the record is closed at once', async () => {
    await page.goto(`${base}${patientPath}/emergency-access`);
    await page.locator('input[name="reason"][value="urgent-care"]').check();
    await page.locator('textarea#detail').fill('Second visit: syringe driver alarm, family worried');
    await page.getByRole('button', { name: 'Open the record' }).click();
    await page.waitForURL((url) => url.pathname === patientPath);
    await page.locator('.emergency-banner').waitFor();
    await page.getByRole('button', { name: 'Close the record now' }).click();
    await page.waitForURL(/\/register/);
    const response = await page.goto(`${base}${patientPath}`);
    expect(response.status() === 403, `expected 403 after closing, got ${response.status()}`);
    await page.goto(`${base}/notices`);
    await signOut(page);
  });

  await step('the coordinator sees the notice and the access report', async () => {
    await signIn(page, gpEmail);
    await page.goto(`${base}/notices`);
    const notice = page.locator('li', { hasText: 'under emergency access' }).first();
    await notice.waitFor();
    expect((await notice.textContent()).includes('Marcus Webb'), 'the notice names the doctor');
    await page.screenshot({ path: shot('24-notices.png'), fullPage: true });
    await notice.getByRole('link', { name: 'Who accessed the record' }).click();
    await page.getByRole('heading', { name: /Who accessed/ }).waitFor();
    const text = await page.locator('main').textContent();
    expect(text.includes('Opened the record under emergency access')
      && text.includes('breathless and distressed'), 'the report lists the reason');
    await page.screenshot({ path: shot('25-access-report-emergency.png'), fullPage: true });
  });

}


run(main, { failureShot: 'emergency-failure.png', timeoutMs: 90000 });
