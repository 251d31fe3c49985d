// The tray, driven over D-Bus as a desktop's tray host drives it (com.canonical.dbusmenu
// Event "clicked"), against a standalone sandbox whose request log says what PIM received:
//   - a starred favourite is offered as "Activate <name>"; one click activates it with the
//     justification sent last for it (not the copy taken when it was starred), and the
//     notification daemon is told; a favourite whose policy needs a ticket and approval opens
//     the window on its activation form instead;
//   - Refresh re-reads what is active; Sign out signs the current account out, and the sign-in
//     screen then offers the account still signed in ("Continue as Ada Okafor");
//   - a 5-minute activation gets "ends in 5 min" once, never the less urgent "ends in 15 min";
//   - Chloé's inbox with Ada's waiting request is photographed for the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  artifactsDir,
  clearSecrets,
  clickTrayItem,
  pollUntil,
  removeAppConfig,
  requireEnv,
  sandboxConfig,
  scratchHome,
  screenshot,
  startSandbox,
  testIdText,
  trayMenuLabels,
  waitForTestId,
  waitForText,
  withSession,
} from '../lib/harness.mjs';
import { ADA, CHLOE, clickInRow, finishDeviceCode, setField } from '../lib/people.mjs';

const OCR = 'On-call Responders';
const OCR_GROUP = '33f73669-9719-4f27-9afa-4a29fdc859ba';
/** Ada's ownership of Platform Engineers in the demo tenant. */
const PLATFORM_ELIGIBILITY = '9b6f3905-f9b9-468d-98f5-efeeb0e99f08';

function summaries() {
  execFileSync('dunstctl', ['close-all']);
  const history = JSON.parse(execFileSync('dunstctl', ['history'], { encoding: 'utf8' }));
  return history.data.flat().map((n) => n.summary?.data ?? '');
}

const count = (list, s) => list.filter((x) => x === s).length;

async function submitAndWait(browser) {
  await (await waitForTestId(browser, 'submit-activation')).click();
  const status = await pollUntil(
    () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
    (s) => s && s !== 'sending',
    { timeout: 15_000, message: (s) => `expected an outcome; status ${s}` },
  );
  await (await waitForTestId(browser, 'close-outcomes')).click();
  return status;
}

async function activeNames(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="active-row"]')].map((r) => r.querySelector('[data-testid="active-name"]')?.textContent.trim()),
  );
}

async function requestLog(sandbox) {
  const res = await fetch(`${sandbox.url}/_sandbox/requests`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  return res.json();
}

const ocrActivations = (log) =>
  log.requests.filter((r) => r.plane === 'group' && r.action === 'selfActivate' && r.target?.groupId === OCR_GROUP);

test('tray favourites, Refresh and Sign out over D-Bus; a 5-minute reminder once; the other account on the sign-in screen', { timeout: 420_000 }, async () => {
  scratchHome();
  clearSecrets({ service: 'latchkey' });
  const dataDir = path.join(requireEnv('XDG_DATA_HOME'), 'latchkey');
  const favouritesFile = path.join(dataDir, 'favourites.json');
  const justificationsFile = path.join(dataDir, 'justifications.json');
  // What earlier specs left (a favourite, a remembered justification) must not decide this one.
  const cleanUp = () => [favouritesFile, justificationsFile].forEach((f) => fs.rmSync(f, { force: true }));
  cleanUp();
  const sandbox = await startSandbox({ name: 'tray' });
  const justification = `Pager handover ${Date.now().toString(36)}`;
  try {
    await withSession({ name: 'tray', config: sandboxConfig(sandbox.url) }, async ({ browser, appPid }) => {
      const tray = () => trayMenuLabels(appPid());
      const trayHas = (label, why) =>
        pollUntil(tray, (labels) => labels.includes(label), { timeout: 20_000, message: (l) => `expected "${label}" in the tray (${why}); it has ${JSON.stringify(l)}` });

      await (await waitForTestId(browser, 'sign-in-button', { timeout: 30_000, why: 'signed out at start' })).click();
      await finishDeviceCode(browser, ADA);
      await pollUntil(
        () => browser.execute(() => document.querySelectorAll('[data-testid="eligible-row"]').length),
        (n) => n >= 5,
        { timeout: 20_000, message: (n) => `expected Ada's eligible list; ${n} rows` },
      );
      await trayHas('Refresh', 'signed in');
      assert.ok(tray().includes('Sign out'), JSON.stringify(tray()));

      // --- starred first, so its copy of the justification is not the one typed next ---------
      await clickInRow(browser, OCR, 'favourite-toggle');
      await trayHas(`Activate ${OCR}`, 'the starred favourite');
      const copied = JSON.parse(fs.readFileSync(favouritesFile, 'utf8')).find((f) => f.name === OCR)?.justification ?? null;
      assert.notEqual(copied, justification);

      // A 1-minute activation from the window: its justification is the latest for the group.
      await clickInRow(browser, OCR, 'activate-button');
      await setField(browser, 'duration-minutes', '1');
      await setField(browser, 'justification', justification);
      assert.equal(await submitAndWait(browser), 'provisioned');

      // --- a 5-minute activation: "ends in 5 min" is due at once; "ends in 15 min" never ------
      await clickInRow(browser, 'Global Reader', 'activate-button');
      await setField(browser, 'duration-minutes', '5');
      await setField(browser, 'justification', 'Five-minute audit peek');
      assert.equal(await submitAndWait(browser), 'provisioned');
      await pollUntil(summaries, (s) => s.includes('Global Reader ends in 5 min'), {
        timeout: 45_000,
        interval: 1_000,
        message: (s) => `expected "Global Reader ends in 5 min"; dunst saw ${JSON.stringify(s)}`,
      });

      // --- a favourite that needs a ticket and approval opens its form -------------------------
      await clickInRow(browser, 'Prod DB Admins', 'favourite-toggle');
      await trayHas('Activate Prod DB Admins', 'the second favourite');
      clickTrayItem(appPid(), 'Activate Prod DB Admins');
      // The dialog's title has no test id: it is read by its element id.
      await pollUntil(
        () => browser.execute(() => document.querySelector('#activation-title')?.textContent.trim() ?? null),
        (title) => title === 'Activate Prod DB Admins',
        { timeout: 20_000, message: (title) => `expected the tray to open the Prod DB Admins form; the dialog title is ${title}` },
      );
      assert.equal(await browser.execute(() => document.activeElement?.dataset.testid ?? null), 'justification', 'focused where typing starts');
      await setField(browser, 'justification', 'Restore drill from the tray');
      await setField(browser, 'ticket-number', 'CHG-314');
      assert.equal(await submitAndWait(browser), 'pendingApproval');

      // --- Refresh: an administrator removes Platform Engineers; Refresh reads it at once ------
      await clickInRow(browser, 'Platform Engineers', 'activate-button');
      await setField(browser, 'justification', 'Team rota changes');
      assert.equal(await submitAndWait(browser), 'provisioned');
      const platformLine = (labels) => labels.some((l) => l.startsWith('Platform Engineers (owner) — '));
      await pollUntil(tray, platformLine, { timeout: 20_000, message: (l) => `expected Platform Engineers in the tray; ${JSON.stringify(l)}` });
      const removed = await fetch(`${sandbox.url}/_sandbox/eligibilities/${PLATFORM_ELIGIBILITY}`, { method: 'DELETE' });
      assert.equal(removed.status, 200, await removed.text());
      clickTrayItem(appPid(), 'Refresh');
      // Sooner than the watcher's own minute: only the forced read can have seen it.
      await pollUntil(tray, (labels) => !platformLine(labels), {
        timeout: 10_000,
        message: (l) => `after Refresh the tray should drop Platform Engineers; it has ${JSON.stringify(l)}`,
      });
      await pollUntil(summaries, (s) => s.includes('Platform Engineers (owner) ended early'), {
        timeout: 10_000,
        interval: 1_000,
        message: (s) => `expected "Platform Engineers (owner) ended early"; dunst saw ${JSON.stringify(s)}`,
      });

      // The 1-minute activation has to be over before the favourite can be activated again.
      await pollUntil(
        async () => (await requestLog(sandbox)).activeAssignments.some((a) => a.target?.groupId === OCR_GROUP),
        (active) => !active,
        { timeout: 90_000, interval: 2_000, message: () => 'the 1-minute activation should end at the sandbox' },
      );

      // --- one click on the favourite: active, with the justification sent last -------------
      clickTrayItem(appPid(), `Activate ${OCR}`);
      await pollUntil(summaries, (s) => s.includes(`${OCR} activated`), {
        timeout: 30_000,
        interval: 1_000,
        message: (s) => `expected "${OCR} activated"; dunst saw ${JSON.stringify(s)}`,
      });
      const sent = ocrActivations(await requestLog(sandbox));
      assert.equal(sent.length, 2, JSON.stringify(sent));
      assert.equal(sent[1].justification, justification, 'the tray sent the justification typed last');
      assert.equal(sent[1].status, 'Provisioned');
      await (await waitForTestId(browser, 'refresh-all')).click();
      await pollUntil(() => activeNames(browser), (names) => names.includes(OCR), {
        timeout: 15_000,
        message: (names) => `expected ${OCR} under Active now after the tray's activation; saw ${JSON.stringify(names)}`,
      });

      // --- Chloé, added beside Ada, finds Ada's request waiting: the README's inbox ----------
      await (await waitForTestId(browser, 'add-account')).click();
      await finishDeviceCode(browser, CHLOE);
      await (await waitForTestId(browser, 'view-approvals', { why: 'the Approvals view' })).click();
      await pollUntil(
        () =>
          browser.execute(() =>
            [...document.querySelectorAll('[data-testid="approval-row"]')].map(
              (r) => r.querySelector('[data-testid="approval-requester"]')?.textContent.trim(),
            ),
          ),
        (names) => names.includes(ADA.name),
        { timeout: 30_000, message: (names) => `expected Ada's request in Chloé's inbox; saw ${JSON.stringify(names)}` },
      );
      await browser.execute(() => window.scrollTo(0, 0));
      await screenshot(browser, path.join(artifactsDir(), 'screen-approvals.png'));

      // --- Sign out from the tray: the sign-in screen offers Ada, still signed in ------------
      await trayHas(`Signed in as ${CHLOE.name}`, 'Chloé is current');
      clickTrayItem(appPid(), 'Sign out');
      await waitForTestId(browser, 'sign-in-button', { timeout: 15_000, why: 'the tray signed Chloé out' });
      const offer = await waitForText(browser, 'continue-as', (t) => t.length > 0, { why: 'the account still signed in' });
      assert.equal(offer, `Continue as ${ADA.name}`);
      await (await waitForTestId(browser, 'continue-as')).click();
      await waitForText(browser, 'account-name', (t) => t.includes(ADA.name), { timeout: 20_000, why: 'back to Ada without a new sign-in' });
      assert.equal(await testIdText(browser, 'user-code'), null, 'no device code was asked for');

      // Several watcher passes later, still one "ends in 5 min" and no "ends in 15 min".
      const seen = summaries();
      assert.equal(count(seen, 'Global Reader ends in 5 min'), 1, JSON.stringify(seen));
      assert.equal(count(seen, 'Global Reader ends in 15 min'), 0, JSON.stringify(seen));
    });
  } finally {
    cleanUp();
    await sandbox.stop();
    removeAppConfig();
  }
});
