// Hearth browser journey for the shared care plan and the out-of-hours summary (issue 5): the GP
// and the district nurse edit the same crisis plan at once; the second save gets the conflict
// page with both versions and merges; the nurse acknowledges the new version; the summary
// prints on one A4 page (Chromium's print-to-PDF, pages counted); the out-of-hours doctor reads
// it under emergency access. Plain Node script.
//
// Environment:
//   HEARTH_BASE_URL        e.g. http://127.0.0.1:43211 (required)
//   HEARTH_GP_EMAIL        the demo GP (required)
//   HEARTH_NURSE_EMAIL     the demo district nurse (required)
//   HEARTH_OOH_EMAIL       the demo out-of-hours doctor (required)
//   HEARTH_PASSWORD        the demo password (required)
//   HEARTH_SCREENSHOT_DIR  where PNGs go; created if missing (required)
//   CHROMIUM_PATH          browser binary (default /usr/bin/chromium)
//
// Prints one `ok: <step>` line per step; on failure `FAIL: <step>: <error>`, saves
// plan-failure.png and exits 1.

import { base, expect, need, newPage, run, shot, signIn, signOut, step, watch } from './harness.mjs';

const gpEmail = need('HEARTH_GP_EMAIL');
const nurseEmail = need('HEARTH_NURSE_EMAIL');
const oohEmail = need('HEARTH_OOH_EMAIL');
async function main() {
  const gp = await newPage();
  const nurse = await newPage();

  let patientPath;
  await step('the GP finds a patient of hers the district nurse also cares for', async () => {
    await signIn(gp, gpEmail);
    await signIn(nurse, nurseEmail);
    // (A patient who declined consent is shared only with the practice: the nurse could not
    // open the record, as the access tests check.)
    await gp.goto(`${base}/register?coordinator=me&consent=given`);
    const links = await gp.locator('table tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) {
      await gp.goto(`${base}${href}/team`);
      if (await gp.getByRole('rowheader', { name: /Sarah Okafor/ }).count() > 0) {
        patientPath = href;
        break;
      }
    }
    expect(patientPath, 'a patient in both teams on the first register page');
  });

  await step('both open the crisis plan; the GP saves first', async () => {
    await gp.goto(`${base}${patientPath}/plan/crisis-plan`);
    const opened = await nurse.goto(`${base}${patientPath}/plan/crisis-plan`);
    expect(opened.status() === 200,
      `the nurse's form: ${opened.status()} ${(await nurse.locator('main').textContent()).slice(0, 200)}`);
    await gp.locator('#what_to_do').fill('Morphine 2.5 mg s/c for breathlessness; sit upright; fan.');
    await gp.locator('#summary').fill('morphine dose agreed');
    await gp.screenshot({ path: shot('31-plan-section-form.png'), fullPage: true });
    await gp.getByRole('button', { name: 'Save', exact: true }).click();
    await gp.waitForURL((url) => url.pathname === `${patientPath}/plan`);
    await gp.getByText('Morphine 2.5 mg s/c for breathlessness').first().waitFor();
  });

  await step("the nurse's save from the older version gets the conflict page", async () => {
    await nurse.locator('#what_to_do').fill('Midazolam 2.5 mg s/c if agitated; call the district nurses.');
    await nurse.locator('#summary').fill('added midazolam');
    await nurse.getByRole('button', { name: 'Save', exact: true }).click();
    await nurse.getByText('Someone saved this section while you were editing it').waitFor();
    const text = await nurse.locator('main').textContent();
    expect(text.includes('Morphine 2.5 mg s/c for breathlessness') && text.includes('Midazolam 2.5 mg s/c if agitated'),
      'both versions side by side');
    await nurse.screenshot({ path: shot('32-plan-conflict.png'), fullPage: true });
  });

  await step('she merges both into the form and saves', async () => {
    await nurse.locator('#what_to_do').fill('Morphine 2.5 mg s/c for breathlessness; sit upright; fan. Midazolam 2.5 mg s/c if agitated; call the district nurses.');
    await nurse.getByRole('button', { name: 'Save', exact: true }).click();
    await nurse.waitForURL((url) => url.pathname === `${patientPath}/plan`);
    const section = nurse.locator('#crisis-plan');
    const text = await section.textContent();
    expect(text.includes('Morphine 2.5 mg') && text.includes('Midazolam 2.5 mg'), 'the merged plan');
  });

  await step('the nurse acknowledges the new version', async () => {
    const button = nurse.getByRole('button', { name: /I have read version/ });
    const label = await button.textContent();
    await button.click();
    await nurse.getByText(label.replace('I have read', 'You have read')).waitFor();
    await nurse.screenshot({ path: shot('33-plan.png'), fullPage: true });
  });

  await step('the section history marks what changed', async () => {
    await gp.goto(`${base}${patientPath}/plan/crisis-plan/history`);
    await gp.getByRole('heading', { name: /side by side/ }).waitFor();
    expect(await gp.locator('tr.changed').count() > 0, 'changed lines are marked');
    await gp.screenshot({ path: shot('34-plan-history.png'), fullPage: true });
  });

  await step('the out-of-hours summary prints on one A4 page', async () => {
    await gp.goto(`${base}${patientPath}/summary`);
    await gp.getByText('Out-of-hours summary').first().waitFor();
    await gp.screenshot({ path: shot('35-summary.png'), fullPage: true });
    await gp.emulateMedia({ media: 'print' });
    await gp.screenshot({ path: shot('36-summary-print.png'), fullPage: true });
    const pdf = await gp.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;
    expect(pages === 1, `the printed summary takes ${pages} A4 pages`);
    await gp.emulateMedia({ media: 'screen' });
  });

  await step('the "who to call" leaflet lists numbers day and night', async () => {
    await gp.goto(`${base}${patientPath}/who-to-call`);
    const text = await gp.locator('main').textContent();
    expect(text.includes('Evenings, nights and weekends') && text.includes('999'), 'day, night and emergency numbers');
    await gp.screenshot({ path: shot('38-who-to-call.png'), fullPage: true });
  });

  await step('the out-of-hours doctor reads it under emergency access', async () => {
    const facts = await gp.goto(`${base}${patientPath}`).then(() => gp.locator('.patient-banner').textContent());
    const number = facts.match(/(\d{3} \d{3} \d{4})/)[1];
    const ooh = await newPage();
    watch(ooh);
    await signIn(ooh, oohEmail);
    await ooh.goto(`${base}/emergency`);
    await ooh.getByLabel('NHS number').fill(number);
    await ooh.getByRole('button', { name: 'Find the patient' }).click();
    await ooh.locator('input[name="reason"][value="out-of-hours-advice"]').check();
    await ooh.locator('textarea#detail').fill('Nurse phoning for advice: agitation at 03:00');
    await ooh.getByRole('button', { name: 'Open the record' }).click();
    await ooh.waitForURL((url) => url.pathname === patientPath);
    await ooh.goto(`${base}${patientPath}/summary`);
    const text = await ooh.locator('main').textContent();
    expect(text.includes('under emergency access') && text.includes('Midazolam 2.5 mg'), 'the summary, read under emergency access');
    await ooh.screenshot({ path: shot('37-summary-emergency.png'), fullPage: true });
  });

}


run(main, { failureShot: 'plan-failure.png', timeoutMs: 120000 });
