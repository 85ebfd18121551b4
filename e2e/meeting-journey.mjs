// Hearth browser journey for meetings (issue 6): the GP plans a register review with the
// specialist palliative care nurse; its agenda is the practice's register, not-ready patients
// first; she records who attended (the GP and the specialist: a case conference); for the first
// patient she records a decision that updates the crisis plan (the meeting then links the new
// plan version) and an action for herself due in two minutes; the action shows on the
// meeting as overdue once its time passes, and escalates to her (a notice). Plain Node script.
//
// Environment:
//   HEARTH_BASE_URL        e.g. http://127.0.0.1:43211 (required)
//   HEARTH_GP_EMAIL        the demo GP (required)
//   HEARTH_PASSWORD        the demo password (required)
//   HEARTH_SCREENSHOT_DIR  where PNGs go; created if missing (required)
//   CHROMIUM_PATH          browser binary (default /usr/bin/chromium)
//
// Prints one `ok: <step>` line per step; on failure `FAIL: <step>: <error>`, saves
// meeting-failure.png and exits 1.

import { base, expect, need, newPage, run, shot, signIn, step } from './harness.mjs';

const gpEmail = need('HEARTH_GP_EMAIL');

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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const gp = await newPage();
  const title = `Register review ${Date.now() % 100000}`;
  const action = `Check the just-in-case box ${Date.now() % 100000}`;

  let meetingPath;
  await step('the GP plans a register review with the specialist nurse', async () => {
    await signIn(gp, gpEmail);
    await gp.goto(`${base}/meetings`);
    await gp.getByRole('heading', { name: 'Plan a meeting' }).waitFor();
    await gp.getByLabel('Kind').selectOption('register-review');
    await gp.getByLabel(/^Title/).fill(title);
    await gp.getByLabel('When').fill(localIn(0));
    await gp.getByLabel('How').selectOption('in-person');
    await gp.getByLabel(/Where/).fill('Riverside Surgery, meeting room');
    const ruth = await gp.locator('#invite option').evaluateAll(
      (os) => os.filter((o) => o.textContent.startsWith('Ruth Jameson —')).map((o) => o.value),
    );
    expect(ruth.length === 1, 'the specialist nurse can be invited');
    await gp.locator('#invite').selectOption(ruth);
    await gp.screenshot({ path: shot('50-plan-meeting.png'), fullPage: true });
    await gp.getByRole('button', { name: 'Plan the meeting' }).click();
    await gp.waitForURL(/\/meetings\/[^/]+$/);
    meetingPath = new URL(gp.url()).pathname;
    await gp.getByRole('heading', { name: title }).waitFor();
    expect(await gp.locator('.agenda-item').count() > 0, 'the register is on the agenda');
  });

  await step('she records who attended: a case conference', async () => {
    const people = gp.locator('section', { has: gp.getByRole('heading', { name: 'Participants' }) });
    for (const box of await people.getByRole('checkbox').all()) await box.check();
    await gp.getByRole('button', { name: /Record who attended/ }).click();
    await gp.waitForURL((url) => url.pathname === meetingPath);
    await gp.locator('h1 .tag', { hasText: 'Case conference' }).waitFor();
  });

  let first;
  await step('a decision updates the crisis plan, linked to the new version', async () => {
    first = gp.locator('.agenda-item').first();
    await first.locator('summary').click();
    await first.getByLabel('Decision').fill('Stay at home; district nurses first at night, not 999.');
    await first.getByLabel('Does it change the plan?').selectOption('crisis-plan');
    await first.getByRole('button', { name: 'Record the decision' }).click();
    await gp.waitForURL(/\/plan\/crisis-plan\?decision=/);
    await gp.getByRole('heading', { name: 'Carrying out a meeting decision' }).waitFor();
    await gp.getByLabel(/What to do/).fill('Call the district nurses first, not 999. Breakthrough doses are in the just-in-case box.');
    await gp.getByLabel(/Who to call first/).fill('Ashby district nurses 01632 960 222');
    await gp.screenshot({ path: shot('51-decision-to-plan.png'), fullPage: true });
    await gp.getByRole('button', { name: 'Save', exact: true }).click();
    await gp.waitForURL((url) => url.pathname === meetingPath);
    first = gp.locator('.agenda-item').first();
    await first.getByRole('link', { name: /Crisis plan for out of hours updated: plan version \d+/ }).waitFor();
  });

  await step('an action becomes a task due in two minutes', async () => {
    await first.locator('summary').click();
    await first.getByLabel('Action').fill(action);
    const mine = await first.getByLabel('Who').locator('option').evaluateAll(
      (os) => os.filter((o) => o.textContent.startsWith('Amelia Hughes (')).map((o) => o.value),
    );
    expect(mine.length === 1, 'the GP is in the first patient\'s team');
    await first.getByLabel('Who').selectOption(mine);
    await first.getByLabel('Due').fill(localIn(2));
    await first.getByRole('button', { name: 'Add the action' }).click();
    await gp.waitForURL((url) => url.pathname === meetingPath);
    first = gp.locator('.agenda-item').first();
    await first.getByText(action).waitFor();
    await gp.screenshot({ path: shot('52-meeting-minutes.png'), fullPage: true });
  });

  await step('the action shows overdue and escalates to the GP', async () => {
    let overdue = false;
    let escalated = false;
    for (let i = 0; i < 40 && !(overdue && escalated); i += 1) {
      await sleep(5_000);
      await gp.goto(`${base}${meetingPath}`);
      const item = gp.locator('.agenda-item li', { hasText: action });
      overdue = await item.locator('.tag', { hasText: 'overdue' }).count() > 0;
      if (overdue) {
        await gp.goto(`${base}/notices`);
        escalated = await gp.getByText(action).count() > 0;
      }
    }
    expect(overdue, 'the action is marked overdue on the meeting');
    expect(escalated, 'the overdue action escalated to the GP as a notice');
    await gp.goto(`${base}${meetingPath}`);
    await gp.screenshot({ path: shot('53-action-overdue.png'), fullPage: true });
  });
}

run(main, { failureShot: 'meeting-failure.png', timeoutMs: 300_000 });
