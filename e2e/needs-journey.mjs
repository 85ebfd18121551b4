// Hearth browser journey for needs over time (issue 8): the district nurse records an ESAS-r with
// breathlessness 8; the trigger rule fires and the coordinating GP sees the suggestion on "my
// work"; the GP refers to the hospital palliative care team with the scores attached; the
// specialist nurse triages and accepts while the GP watches the referral page change without a
// reload; a night-time advice call about the patient is logged and appears in their record.
// Plain Node script.
//
// Environment:
//   HEARTH_BASE_URL          e.g. http://127.0.0.1:43211 (required)
//   HEARTH_GP_EMAIL          the demo GP (required)
//   HEARTH_NURSE_EMAIL       the demo district nurse (required)
//   HEARTH_SPECIALIST_EMAIL  the demo specialist palliative care nurse (required)
//   HEARTH_PASSWORD          the demo password (required)
//   HEARTH_SCREENSHOT_DIR    where PNGs go; created if missing (required)
//   CHROMIUM_PATH            browser binary (default /usr/bin/chromium)
//
// Prints one `ok: <step>` line per step; on failure `FAIL: <step>: <error>`, saves
// needs-failure.png and exits 1.

import { base, expect, londonDateTime, need, newPage, run, shot, signIn, step, watch } from './harness.mjs';

const gpEmail = need('HEARTH_GP_EMAIL');
const nurseEmail = need('HEARTH_NURSE_EMAIL');
const specialistEmail = need('HEARTH_SPECIALIST_EMAIL');

/** A `datetime-local` value for 02:30 today in the deployment's time zone (yesterday if it is
 * not yet 02:30 there). */
function lastHalfPastTwo() {
  const now = londonDateTime(new Date());
  const day = now.slice(11) < '02:30' ? londonDateTime(new Date(Date.now() - 24 * 3600_000)) : now;
  return `${day.slice(0, 10)}T02:30`;
}

async function main() {
  const gp = await newPage();
  const nurse = await newPage();
  const specialist = await newPage();
  let patient;
  let name;

  await step('the GP and the nurse find a patient the GP coordinates with no rule fired', async () => {
    await signIn(gp, gpEmail);
    await signIn(nurse, nurseEmail);
    await gp.goto(`${base}/register?coordinator=me`);
    const links = await gp.locator('table tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) {
      if (!/^\/patients\/[^/]+$/.test(href)) continue;
      const form = await nurse.goto(`${base}${href}/needs/esas-r`);
      if (!form || form.status() !== 200) continue;
      await gp.goto(`${base}${href}/needs`);
      if (await gp.getByText('No rule has fired for this patient.').count() > 0
        && await gp.getByText('Referrals to specialist palliative care').count() > 0
        && await gp.locator('#referrals-heading + .empty').count() > 0) {
        patient = href;
        break;
      }
    }
    expect(patient, 'a patient of the GP and the nurse without suggestions or referrals');
    name = (await gp.locator('.lead strong').textContent()).trim();
  });

  await step('the district nurse records an ESAS-r with breathlessness 8', async () => {
    await nurse.goto(`${base}${patient}/needs/esas-r`);
    const scores = [3, 6, 3, 2, 5, 8, 3, 5, 6];
    for (const [n, score] of scores.entries()) {
      await nurse.locator(`input[name="esas-${n}"][value="${score}"]`).check();
    }
    await nurse.screenshot({ path: shot('70-esas-form.png'), fullPage: true });
    await nurse.getByRole('button', { name: 'Record it' }).click();
    await nurse.waitForURL((url) => url.pathname === `${patient}/needs`);
    await nurse.getByText('Consider referral to specialist palliative care').first().waitFor();
  });

  await step('the coordinating GP sees the suggestion with its reason on "my work"', async () => {
    await gp.goto(`${base}/`);
    const item = gp.locator('.suggestion', { hasText: name });
    await item.first().waitFor();
    expect((await item.first().textContent()).includes('Shortness of breath 8 (severe)'), 'the reason is shown');
    await gp.screenshot({ path: shot('71-my-work-suggestion.png'), fullPage: true });
    await item.first().getByRole('link').click();
    await gp.waitForURL((url) => url.pathname === `${patient}/needs`);
    await gp.locator('svg[role="img"]').first().waitFor();
    await gp.screenshot({ path: shot('72-needs-charts.png'), fullPage: true });
  });

  let referral;
  await step('the GP refers with the scores attached', async () => {
    await gp.getByRole('link', { name: 'Refer, with the scores' }).click();
    await gp.waitForURL(/\/referrals\/new/);
    await gp.getByLabel('Refer to').selectOption({ label: 'Westvale Hospital Palliative Care Team' });
    await gp.getByLabel('Reason for referral').fill('Breathless at rest since last night despite oramorph; frightened. Please assess and advise.');
    await gp.getByLabel('What the patient knows of their illness and of this referral').fill('Knows the illness is advancing; agrees to a specialist nurse visit.');
    const evidence = gp.locator('input[name="evidence"]');
    expect(await evidence.count() > 0, 'scores offered from the record');
    await gp.screenshot({ path: shot('73-referral-form.png'), fullPage: true });
    await gp.getByRole('button', { name: 'Send the referral' }).click();
    await gp.waitForURL(/\/referrals\/[^/]+$/);
    referral = new URL(gp.url()).pathname;
    expect((await gp.locator('main').textContent()).includes('Shortness of breath 8 (severe)'), 'the scores travel with the referral');
    expect((await gp.locator('#referral-state').textContent()).trim().startsWith('Referred'), 'waiting for triage');
  });

  await step('the specialist triages and accepts; the GP sees it without a reload', async () => {
    watch(gp);
    const before = gp.url();
    await signIn(specialist, specialistEmail);
    await specialist.goto(`${base}/referrals`);
    await specialist.locator(`a[href="${referral}"]`).first().click();
    await specialist.waitForURL((url) => url.pathname === referral);
    await specialist.getByLabel('Priority').selectOption('p1');
    await specialist.getByRole('button', { name: 'Triage' }).click();
    await specialist.waitForURL((url) => url.pathname === referral);
    await specialist.getByRole('button', { name: 'Accept', exact: true }).click();
    await specialist.waitForURL((url) => url.pathname === referral);
    await gp.locator('#referral-state', { hasText: 'Accepted' }).waitFor({ timeout: 10_000 });
    expect(gp.url() === before, 'the page was not reloaded');
    expect((await gp.locator('main').textContent()).includes('Priority 1: within 24 hours'), 'the priority shows');
    await gp.screenshot({ path: shot('74-referral-accepted-live.png'), fullPage: true });
  });

  await step('a night-time advice call about the patient is logged', async () => {
    await gp.goto(`${base}${patient}`);
    const number = (await gp.locator('.banner-facts dd').first().textContent()).trim();
    await specialist.goto(`${base}/advice`);
    await specialist.getByLabel('Caller').fill('Dr Marcus Webb');
    await specialist.getByLabel('Their role').selectOption('ooh-doctor');
    await specialist.getByLabel(/^Organisation/).fill('Westvale Out-of-Hours');
    await specialist.getByLabel(/^Patient's NHS number/).fill(number);
    await specialist.getByLabel('Question').fill('Breathless and panicking at 2 a.m.; oramorph given an hour ago.');
    await specialist.getByLabel('Advice given').fill('Midazolam 2.5 mg subcut from the home box, the fan, sit upright; ring back in 30 minutes if not settling.');
    await specialist.getByLabel('Outcome').selectOption('managed-at-home');
    await specialist.getByLabel(/^Received/).fill(lastHalfPastTwo());
    await specialist.getByRole('button', { name: 'Log the call' }).click();
    await specialist.waitForURL((url) => url.pathname === '/advice');
    const call = specialist.locator('.advice-call', { hasText: 'Breathless and panicking' });
    await call.first().waitFor();
    expect((await call.first().textContent()).includes('out of hours'), 'the call is out of hours');
    await specialist.screenshot({ path: shot('75-advice-log.png'), fullPage: true });
  });

  await step("the call is in the patient's record", async () => {
    await gp.goto(`${base}${patient}/needs`);
    const call = gp.locator('.advice-call', { hasText: 'Breathless and panicking' });
    await call.first().waitFor();
    expect((await call.first().textContent()).includes('out of hours'), 'marked out of hours');
    await gp.locator('#advice-heading').scrollIntoViewIfNeeded();
    await gp.screenshot({ path: shot('76-advice-in-record.png'), fullPage: true });
  });
}

run(main, { failureShot: 'needs-failure.png', timeoutMs: 150_000 });
