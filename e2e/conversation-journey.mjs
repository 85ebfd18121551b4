// Hearth browser journey for talking together (issue 6): the district nurse sends the GP an
// urgent message with a reply-by time; the GP, with her inbox open, sees it arrive without a
// reload and opens it; the nurse, with the conversation open, sees the read receipt appear; the
// GP answers with a "let's talk" request proposing two times; the nurse sees it arrive, picks a
// time, and both see the agreed call in their inboxes. Plain Node script.
//
// Environment:
//   HEARTH_BASE_URL        e.g. http://127.0.0.1:43211 (required)
//   HEARTH_GP_EMAIL        the demo GP (required)
//   HEARTH_NURSE_EMAIL     the demo district nurse (required)
//   HEARTH_PASSWORD        the demo password (required)
//   HEARTH_SCREENSHOT_DIR  where PNGs go; created if missing (required)
//   CHROMIUM_PATH          browser binary (default /usr/bin/chromium)
//
// Prints one `ok: <step>` line per step; on failure `FAIL: <step>: <error>`, saves
// conversation-failure.png and exits 1.

import { base, expect, need, newPage, run, shot, signIn, step, watch } from './harness.mjs';

const gpEmail = need('HEARTH_GP_EMAIL');
const nurseEmail = need('HEARTH_NURSE_EMAIL');

/** A `datetime-local` value `minutes` from now in the deployment's time zone (Europe/London). */
function localIn(minutes) {
  const at = new Date(Date.now() + minutes * 60_000);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

async function main() {
  const gp = await newPage();
  const nurse = await newPage();
  const topic = `Pain at night ${Date.now() % 100000}`;

  let patientPath;
  await step('the nurse finds a patient she and the GP both care for', async () => {
    await signIn(gp, gpEmail);
    await signIn(nurse, nurseEmail);
    await gp.goto(`${base}/register?coordinator=me&consent=given`);
    const links = await gp.locator('table tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) {
      if (!/^\/patients\/[^/]+$/.test(href)) continue;
      await gp.goto(`${base}${href}/team`);
      if (await gp.getByRole('rowheader', { name: /Sarah Okafor/ }).count() > 0) {
        patientPath = href;
        break;
      }
    }
    expect(patientPath, 'a patient in both teams on the first register page');
  });

  await step('the GP has her inbox open', async () => {
    await gp.goto(`${base}/inbox`);
    await gp.getByRole('heading', { name: 'Messages for you' }).waitFor();
    expect(await gp.getByText(topic).count() === 0, 'the message is not there yet');
  });

  let threadPath;
  await step('the nurse sends the GP an urgent message with a reply-by time', async () => {
    watch(nurse);
    await nurse.goto(`${base}${patientPath}`);
    await nurse.getByRole('link', { name: /Talk with the care team/ }).click();
    await nurse.getByLabel('Topic').fill(topic);
    await nurse.getByLabel(/Amelia Hughes \(GP\)/).check();
    await nurse.getByLabel('Message').fill("His pain is worse at night and the breakthrough doses are not holding.\nCould we increase the morphine?");
    await nurse.getByLabel('Urgency').selectOption('urgent');
    await nurse.getByLabel(/Reply by/).fill(localIn(60));
    await nurse.getByLabel(/About the care plan section/).selectOption('anticipatory-medicines');
    await nurse.screenshot({ path: shot('40-new-conversation.png'), fullPage: true });
    await nurse.getByRole('button', { name: 'Send', exact: true }).click();
    await nurse.waitForURL(/\/conversations\/[^/]+$/);
    threadPath = new URL(nurse.url()).pathname;
    await nurse.getByText(/Not read yet by Amelia Hughes/).waitFor();
  });

  await step('the GP sees it arrive in her open inbox, without a reload', async () => {
    watch(gp);
    const before = gp.url();
    await gp.getByText(topic).waitFor({ timeout: 10_000 });
    expect(gp.url() === before, 'the page was not reloaded');
    const item = gp.locator('.inbox__item', { hasText: topic });
    expect(await item.getByText('Urgent').count() === 1, 'marked urgent');
    expect(await item.getByText('unread').count() === 1, 'marked unread');
    expect(await item.getByText(/reply by/).count() === 1, 'with its reply-by time');
    await gp.screenshot({ path: shot('41-inbox-live.png'), fullPage: true });
  });

  await step('the GP reads it; the nurse sees the receipt appear', async () => {
    await gp.locator('.inbox__item', { hasText: topic }).getByRole('link').click();
    await gp.waitForURL((url) => url.pathname === threadPath);
    await gp.getByText('Could we increase the morphine?').waitFor();
    watch(nurse);
    await nurse.getByText(/Read by Amelia Hughes/).waitFor({ timeout: 10_000 });
    await nurse.screenshot({ path: shot('42-read-receipt.png'), fullPage: true });
  });

  await step('the GP answers with a "let\'s talk" request', async () => {
    watch(gp);
    await gp.getByLabel('How').selectOption('phone');
    await gp.getByLabel('First time').fill(localIn(90));
    await gp.getByLabel(/Second time/).fill(localIn(150));
    await gp.getByRole('button', { name: 'Ask for a call' }).click();
    await gp.waitForURL((url) => url.pathname === threadPath);
    await gp.getByText(/I would rather discuss this by phone call/).waitFor();
  });

  await step('the nurse sees the request live and picks a time', async () => {
    watch(nurse);
    await nurse.getByRole('group', { name: 'Pick a time' }).waitFor({ timeout: 10_000 });
    expect(await nurse.getByRole('button', { name: 'Ask for a call' }).count() === 0,
      'no second request is offered while one waits');
    await nurse.screenshot({ path: shot('43-lets-talk.png'), fullPage: true });
    await nurse.getByRole('group', { name: 'Pick a time' }).getByRole('radio').last().check();
    await nurse.getByRole('button', { name: 'Agree this time' }).click();
    await nurse.waitForURL((url) => url.pathname === threadPath);
    await nurse.getByText(/Agreed for/).waitFor();
  });

  await step('the agreed call is on both calendars', async () => {
    for (const page of [gp, nurse]) {
      watch(page);
      await page.goto(`${base}/inbox`);
      const calls = page.locator('section', { has: page.getByRole('heading', { name: 'Calls' }) });
      await calls.getByText(/Phone call about/).first().waitFor();
    }
    await nurse.screenshot({ path: shot('44-call-agreed.png'), fullPage: true });
  });
}

run(main, { failureShot: 'conversation-failure.png' });
