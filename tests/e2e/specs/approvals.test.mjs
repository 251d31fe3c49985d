// Approvals on the real window against the embedded sandbox tenant, with two people in turn:
// Ada asks for an approval-gated group; Chloé (an approver of its policy) signs in, finds the
// request in her Approvals inbox with Ada's justification and ticket, and approves it with a
// reason; Ada signs in again and finds it active, and the daemon got the "approved" notification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  artifactsDir,
  byTestId,
  clearSecrets,
  pollUntil,
  removeAppConfig,
  scratchHome,
  screenshot,
  waitForTestId,
  withSession,
} from '../lib/harness.mjs';
import { ADA, CHLOE, notificationMark, requestInApp, setField, signInAs, signOut, waitForNotification } from '../lib/people.mjs';

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
    const mark = notificationMark();
    await signInAs(browser, ADA);
    const status = await requestInApp(browser, 'Prod DB Admins', { minutes: 60, justification: 'Restore drill', ticket: 'CHG-88' });
    assert.equal(status, 'pendingApproval');
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
    await waitForNotification('Prod DB Admins approved', { mark });
  });
});
