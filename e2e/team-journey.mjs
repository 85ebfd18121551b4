// Hearth browser journey for the register and the care team (issue 3): a GP puts a patient on
// the palliative care register with indicators and consent, adds a member to a care team and
// changes their responsibilities, proposes a district nurse as coordinator; the nurse signs in
// and accepts. Plain Node script.
//
// Environment:
//   HEARTH_BASE_URL        e.g. http://127.0.0.1:43211 (required)
//   HEARTH_GP_EMAIL        the demo GP (required)
//   HEARTH_NURSE_EMAIL     the demo district nurse in the same area (required)
//   HEARTH_PASSWORD        the demo password (required)
//   HEARTH_SCREENSHOT_DIR  where PNGs go; created if missing (required)
//   CHROMIUM_PATH          browser binary (default /usr/bin/chromium)
//
// Prints one `ok: <step>` line per step; on failure `FAIL: <step>: <error>`, saves
// team-failure.png and exits 1.

import { base, expect, need, newPage, run, shot, signIn, signOut, step, watch } from './harness.mjs';

const gpEmail = need('HEARTH_GP_EMAIL');
const nurseEmail = need('HEARTH_NURSE_EMAIL');
async function main() {
  const page = await newPage();

  await step('GP signs in', () => signIn(page, gpEmail));

  let unregistered;
  await step('find a patient who is not on the register', async () => {
    await page.goto(`${base}/register?show=all`);
    const rows = page.locator('table tbody tr', { hasText: 'Not on the register' });
    let pageNumber = 1;
    while ((await rows.count()) === 0 && pageNumber < 6) {
      pageNumber += 1;
      await page.goto(`${base}/register?show=all&page=${pageNumber}`);
    }
    expect((await rows.count()) > 0, 'no unregistered patient in the first pages');
    unregistered = await rows.first().locator('a').first().getAttribute('href');
  });

  await step('register the patient with indicators and consent', async () => {
    await page.goto(`${base}${unregistered}`);
    await page.getByRole('link', { name: 'Add to the register' }).click();
    await page.getByLabel('No, I would not be surprised').check();
    await page.getByLabel('Unplanned hospital admission(s)').check();
    await page.getByLabel('Depends on others for care').check();
    await page.getByLabel('Respiratory disease').check();
    await page.getByLabel('Organ failure').check();
    await page.getByLabel('Consent given to share').check();
    await page.screenshot({ path: shot('11-register-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Add to register' }).click();
    await page.waitForURL((url) => url.pathname === unregistered);
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Palliative care register' }) });
    await card.getByText('On the register of').waitFor();
    expect((await card.textContent()).includes('Unplanned hospital admission(s), Depends on others for care'),
      'the indicators are shown');
    await page.screenshot({ path: shot('12-registered.png'), fullPage: true });
  });

  let teamPath;
  await step("find a team the GP coordinates that includes the district nurse", async () => {
    await page.goto(`${base}/register`);
    const links = await page.locator('table tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) {
      await page.goto(`${base}${href}/team`);
      const text = await page.locator('main').textContent();
      if (text.includes('Sarah Okafor') && text.includes('(GP) coordinates') && !text.includes('has been proposed')) {
        teamPath = `${href}/team`;
        break;
      }
    }
    expect(teamPath, 'no suitable team on the first register page');
  });

  await step('add a member with a role and responsibilities', async () => {
    const addForm = page.locator('form', { has: page.getByRole('button', { name: 'Add to care team' }) });
    await addForm.getByLabel('Person or service').selectOption({ label: "Ben Carlisle — Physiotherapist, St Brigid's Hospice" });
    await addForm.getByLabel("Role in this patient's care").selectOption('physiotherapist');
    await addForm.getByLabel('Equipment').check();
    await addForm.getByRole('button', { name: 'Add to care team' }).click();
    await page.waitForURL((url) => url.pathname === teamPath);
    await page.getByRole('rowheader', { name: /Ben Carlisle/ }).waitFor();
  });

  await step("change a member's responsibilities in the matrix", async () => {
    const row = page.locator('tr', { has: page.getByRole('rowheader', { name: /Ben Carlisle/ }) });
    await row.getByRole('link', { name: /Change Ben Carlisle/ }).click();
    await page.getByRole('heading', { name: /Ben Carlisle in/ }).waitFor();
    expect(await page.getByLabel('Equipment').isChecked(), 'the current responsibilities are ticked');
    await page.getByLabel('Carer support').check();
    await page.screenshot({ path: shot('12b-change-member.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL((url) => url.pathname === teamPath);
    const cells = page.locator('tr', { has: page.getByRole('rowheader', { name: /Ben Carlisle/ }) }).locator('td.cell');
    const ticks = await cells.evaluateAll((tds) => tds.map((td) => td.textContent.includes('✓')));
    expect(ticks.filter(Boolean).length === 2, `Ben holds equipment and carer support (got ${ticks})`);
  });

  await step('propose the district nurse as coordinator', async () => {
    await page.getByText('Propose a new coordinator').click();
    const option = await page.locator('#to_member option', { hasText: 'Sarah Okafor' }).getAttribute('value');
    await page.getByLabel('Member to take over coordination').selectOption(option);
    await page.getByRole('button', { name: 'Propose handover' }).click();
    await page.getByText('Sarah Okafor has been proposed to take over coordination').waitFor();
    expect(await page.getByText('Waiting for the proposed coordinator').isVisible(), 'the GP cannot accept');
    await page.screenshot({ path: shot('13-handover-proposed.png'), fullPage: true });
    await signOut(page);
  });

  await step('the district nurse signs in and accepts', async () => {
    await signIn(page, nurseEmail);
    await page.goto(`${base}${teamPath}`);
    await page.getByRole('button', { name: 'Accept coordination' }).click();
    await page.getByText('Sarah Okafor (District nurse)').first().waitFor();
    const text = await page.locator('main').textContent();
    expect(text.includes('Sarah Okafor (District nurse) coordinates'), 'the nurse now coordinates');
    await page.screenshot({ path: shot('14-handover-accepted.png'), fullPage: true });
  });

  await step('find the specialist on call from the patient page', async () => {
    await page.goto(`${base}${teamPath.replace(/\/team$/, '')}`);
    const box = page.locator('section', { has: page.getByRole('heading', { name: 'Specialist advice now' }) });
    const phone = await box.locator('a[href^="tel:"]').first().getAttribute('href');
    expect(phone, 'a number to ring for specialist advice now');
    await page.screenshot({ path: shot('15-patient-with-on-call.png'), fullPage: true });
    await box.getByRole('link', { name: 'rota' }).first().click();
    await page.waitForURL(/\/directory/);
    await page.getByText('On call now').first().waitFor();
    await page.screenshot({ path: shot('16-directory.png'), fullPage: true });
  });

  await step('the new coordinator sees who accessed the record', async () => {
    await page.goto(`${base}${teamPath.replace(/\/team$/, '')}`);
    await page.getByRole('link', { name: 'see who accessed this record' }).click();
    await page.getByRole('heading', { name: /Who accessed/ }).waitFor();
    const text = await page.locator('main').textContent();
    expect(text.includes('Amelia Hughes') && text.includes('Changed the care team'),
      'the GP\'s changes to the team are listed');
    await page.screenshot({ path: shot('17-who-accessed.png'), fullPage: true });
  });

}


run(main, { failureShot: 'team-failure.png', timeoutMs: 90000 });
