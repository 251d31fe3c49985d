// Approvals on the real window against the embedded sandbox tenant, with two people in turn:
// Ada asks for an approval-gated group; Chloé (an approver of its policy) signs in, finds the
// request in her Approvals inbox with Ada's justification and ticket, and approves it with a
// reason; Ada signs in again and finds it active, and the daemon got the "approved" notification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  artifactsDir,
  byTestId,
  clearSecrets,
  pollUntil,
  removeAppConfig,
  scratchHome,
  screenshot,
  submitDeviceLogin,
  waitForTestId,
  waitForText,
  withSession,
} from '../lib/harness.mjs';

const ADA = { upn: 'ada@fabrikam.example', name: 'Ada Okafor' };
const CHLOE = { upn: 'chloe@fabrikam.example', name: 'Chloé Martin' };

async function signInAs(browser, person) {
  await (await waitForTestId(browser, 'sign-in-button', { timeout: 30_000, why: `signed out before ${person.name}` })).click();
  const userCode = await waitForText(browser, 'user-code', (t) => t.length >= 6, { why: 'the device code' });
  const uri = await waitForText(browser, 'verification-uri', (t) => t.startsWith('http://127.0.0.1:'), { why: 'the sign-in page' });
  const page = await submitDeviceLogin(uri, { userCode, loginHint: person.upn, decision: 'approve' });
  assert.equal(page.status, 200, page.body.slice(0, 300));
  await waitForText(browser, 'account-name', (t) => t.includes(person.name), { timeout: 25_000, why: `${person.name} signed in` });
}

async function signOut(browser) {
  await (await waitForTestId(browser, 'sign-out', { why: 'the Sign out button' })).click();
  await waitForTestId(browser, 'sign-in-button', { timeout: 15_000, why: 'signed out' });
}

async function setField(browser, id, value) {
  const field = await waitForTestId(browser, id, { why: `the ${id} field` });
  await field.clearValue();
  await field.setValue(value);
}

/** The inbox rows as a person reads them. */
async function inboxRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="approval-row"]')].map((row) => {
      const text = (id) => row.querySelector(`[data-testid="${id}"]`)?.textContent.replace(/\s+/g, ' ').trim() ?? null;
      return {
        requester: text('approval-requester'),
        target: text('approval-target'),
        justification: text('approval-justification'),
        ticket: text('approval-ticket'),
        expires: text('approval-expires'),
      };
    }),
  );
}

test('a request waits in the approver’s inbox, is approved with a reason, and the requester finds it active', { timeout: 240_000 }, async () => {
  scratchHome();
  removeAppConfig();
  clearSecrets({ service: 'latchkey' });
  await withSession({ name: 'approvals' }, async ({ browser }) => {
    // --- Ada asks for Prod DB Admins (approval by Chloé or Elena) ---------------------------
    await signInAs(browser, ADA);
    const clicked = await pollUntil(
      () =>
        browser.execute(() => {
          const row = [...document.querySelectorAll('[data-testid="eligible-row"]')].find(
            (r) => r.querySelector('[data-testid="eligible-name"]')?.textContent.trim() === 'Prod DB Admins',
          );
          const button = row?.querySelector('[data-testid="activate-button"]');
          button?.click();
          return Boolean(button);
        }),
      (done) => done,
      { timeout: 20_000, message: () => 'expected an Activate button on Prod DB Admins' },
    );
    assert.ok(clicked);
    await waitForTestId(browser, 'activation-form', { why: 'the activation form opens' });
    await setField(browser, 'duration-minutes', '60');
    await setField(browser, 'justification', 'Restore drill');
    await setField(browser, 'ticket-number', 'CHG-88');
    await (await waitForTestId(browser, 'submit-activation')).click();
    const status = await pollUntil(
      () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
      (s) => s && s !== 'sending',
      { timeout: 15_000, message: (s) => `expected an outcome for Prod DB Admins; status ${s}` },
    );
    assert.equal(status, 'pendingApproval');
    await (await waitForTestId(browser, 'close-outcomes')).click();
    await signOut(browser);

    // --- Chloé finds it in her inbox and approves it with a reason --------------------------
    await signInAs(browser, CHLOE);
    await (await waitForTestId(browser, 'view-approvals', { why: 'the Approvals view' })).click();
    const rows = await pollUntil(() => inboxRows(browser), (r) => r.some((row) => row.requester === ADA.name), {
      timeout: 20_000,
      message: (r) => `expected Ada's request in Chloé's inbox; saw ${JSON.stringify(r)}`,
    });
    const ada = rows.find((row) => row.requester === ADA.name);
    assert.equal(ada.target, 'Prod DB Admins');
    assert.match(ada.justification ?? '', /Restore drill/);
    assert.match(ada.ticket ?? '', /CHG-88/);
    assert.ok(ada.expires && ada.expires.length > 0, 'the 24-hour window is shown');
    await screenshot(browser, path.join(artifactsDir(), 'approvals.png'));
    await setField(browser, 'decision-reason', 'Drill approved');
    await (await waitForTestId(browser, 'approve-button')).click();
    await pollUntil(
      () => browser.execute(() => document.querySelector('[data-testid="decision-result"]')?.dataset.outcome ?? null),
      (o) => o === 'approved',
      { timeout: 15_000, message: (o) => `expected the decision to be recorded as approved; saw ${o}` },
    );
    assert.equal(await browser.$(byTestId('approval-row')).isExisting(), false, 'the decided request left the inbox');
    await signOut(browser);

    // --- Ada finds it active, and was told ----------------------------------------------------
    await signInAs(browser, ADA);
    await pollUntil(
      () =>
        browser.execute(() =>
          [...document.querySelectorAll('[data-testid="active-row"]')].map((r) =>
            r.querySelector('[data-testid="active-name"]')?.textContent.trim(),
          ),
        ),
      (names) => names.includes('Prod DB Admins'),
      { timeout: 20_000, message: (names) => `expected Prod DB Admins under Active now; saw ${JSON.stringify(names)}` },
    );
    const approved = await pollUntil(
      () => {
        execFileSync('dunstctl', ['close-all']);
        const history = JSON.parse(execFileSync('dunstctl', ['history'], { encoding: 'utf8' }));
        return history.data.flat().map((n) => n.summary?.data ?? '');
      },
      (summaries) => summaries.some((s) => s === 'Prod DB Admins approved'),
      { timeout: 30_000, interval: 1_000, message: (s) => `expected a "Prod DB Admins approved" notification; dunst saw ${JSON.stringify(s)}` },
    );
    assert.ok(approved.length > 0);
  });
});
