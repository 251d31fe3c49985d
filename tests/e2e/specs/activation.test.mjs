// Activation on the real window against the embedded sandbox tenant: an open group becomes
// active with a live countdown and the 5-minute deactivation rule; a duration above the policy
// maximum is refused in the form before anything is sent; an approval-gated group waits for
// approval (never shown as active) and can be canceled; a directory role (Global Reader) activates
// through the same form and counts down under Active now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  artifactsDir,
  byTestId,
  clearSecrets,
  parseCountdown,
  pollUntil,
  removeAppConfig,
  scratchHome,
  screenshot,
  testIdText,
  trayMenuLabels,
  waitForTestId,
  withSession,
} from '../lib/harness.mjs';
import { ADA, clickInRow, setField, signInAs } from '../lib/people.mjs';

async function badgesOf(browser, group) {
  return browser.execute((name) => {
    const row = [...document.querySelectorAll('[data-testid="eligible-row"]')].find(
      (r) => r.querySelector('[data-testid="eligible-name"]')?.textContent.trim() === name,
    );
    return [...(row?.querySelectorAll('[data-testid="requirement-badge"]') ?? [])].map((b) => b.dataset.kind);
  }, group);
}

/** The eligible row's activity ("active", "requested") or "offers activate". */
async function rowState(browser, group) {
  return browser.execute((name) => {
    const row = [...document.querySelectorAll('[data-testid="eligible-row"]')].find(
      (r) => r.querySelector('[data-testid="eligible-name"]')?.textContent.trim() === name,
    );
    const activity = row?.querySelector('[data-testid="eligibility-activity"]')?.dataset.activity;
    return activity ?? (row?.querySelector('[data-testid="activate-button"]') ? 'offers activate' : 'nothing');
  }, group);
}

/** Names in the eligible list for one plane ("group" or "directoryRole"). */
async function eligibleNames(browser, plane) {
  return browser.execute(
    (p) =>
      [...document.querySelectorAll(`[data-testid="eligible-row"][data-plane="${p}"]`)].map((row) =>
        row.querySelector('[data-testid="eligible-name"]')?.textContent.trim(),
      ),
    plane,
  );
}

/** The countdown text of the Active now row named `name`, or null. */
async function countdownOf(browser, name) {
  return browser.execute((n) => {
    const row = [...document.querySelectorAll('[data-testid="active-row"]')].find(
      (r) => r.querySelector('[data-testid="active-name"]')?.textContent.trim() === n,
    );
    return row?.querySelector('[data-testid="active-countdown"]')?.textContent.trim() ?? null;
  }, name);
}

async function rowsOf(browser, rowId, nameId) {
  return browser.execute(
    (r, n) => [...document.querySelectorAll(`[data-testid="${r}"]`)].map((row) => row.querySelector(`[data-testid="${n}"]`)?.textContent.trim()),
    rowId,
    nameId,
  );
}

test('activate, watch the countdown, and see approval and policy limits honestly', { timeout: 240_000 }, async () => {
  scratchHome();
  removeAppConfig();
  clearSecrets({ service: 'latchkey' });
  await withSession({ name: 'activation' }, async ({ browser, appPid }) => {
    await signInAs(browser, ADA);
    // Groups and directory roles share one list; count each plane on its own.
    await pollUntil(() => eligibleNames(browser, 'group'), (r) => r.length === 5, {
      timeout: 20_000,
      message: (r) => `expected Ada's 5 eligible groups, saw ${JSON.stringify(r)}`,
    });
    await pollUntil(() => eligibleNames(browser, 'directoryRole'), (r) => r.length === 6, {
      timeout: 20_000,
      message: (r) => `expected Ada's 6 eligible directory roles, saw ${JSON.stringify(r)}`,
    });

    // Requirements come from each group's PIM policy.
    const prodBadges = await badgesOf(browser, 'Prod DB Admins');
    for (const kind of ['justification', 'ticket', 'approval', 'maxDuration']) {
      assert.ok(prodBadges.includes(kind), `Prod DB Admins should show a ${kind} badge; has ${JSON.stringify(prodBadges)}`);
    }
    assert.ok((await badgesOf(browser, 'Payments Console Admins')).includes('mfa'), 'Payments needs MFA');

    // --- an open group: active at once, with a countdown and the 5-minute rule -----------------
    await clickInRow(browser, 'On-call Responders', 'activate-button');
    await waitForTestId(browser, 'activation-form', { why: 'the activation form opens' });
    await (await browser.$('[data-testid="duration-preset"][data-minutes="60"]')).click();
    await (await waitForTestId(browser, 'submit-activation')).click();
    const outcome = await pollUntil(
      () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
      (s) => s && s !== 'sending',
      { timeout: 15_000, message: (s) => `expected an outcome for On-call Responders; status ${s}` },
    );
    assert.equal(outcome, 'provisioned', 'an open policy activates at once');
    await (await waitForTestId(browser, 'close-outcomes', { why: 'a Done button' })).click();

    const active = await pollUntil(() => rowsOf(browser, 'active-row', 'active-name'), (r) => r.includes('On-call Responders'), {
      timeout: 15_000,
      message: (r) => `expected On-call Responders under Active now; saw ${JSON.stringify(r)}`,
    });
    assert.deepEqual(active, ['On-call Responders']);
    const first = parseCountdown(await testIdText(browser, 'active-countdown'));
    assert.ok(first > 55 * 60 && first <= 60 * 60, `about an hour left, got ${first} s`);
    await pollUntil(() => testIdText(browser, 'active-countdown'), (t) => parseCountdown(t) < first, {
      timeout: 5_000,
      message: (t) => `the countdown should tick; still ${t}`,
    });
    // The tray menu (read over D-Bus as a tray host would) lists it with the time left.
    const tray = await pollUntil(() => trayMenuLabels(appPid()), (labels) => labels.some((l) => l.startsWith('On-call Responders — ')), {
      timeout: 20_000,
      message: (labels) => `expected the tray menu to list On-call Responders with its time left; it has ${JSON.stringify(labels)}`,
    });
    assert.ok(tray.some((l) => /^On-call Responders — (59 min|1 h 00 min) left$/.test(l)), JSON.stringify(tray));
    assert.ok(tray.includes('Signed in as Ada Okafor') && tray.includes('Open Latchkey') && tray.includes('Quit Latchkey'), JSON.stringify(tray));

    assert.equal(await rowState(browser, 'On-call Responders'), 'active', 'an active group is not offered again');

    const deactivate = await waitForTestId(browser, 'deactivate-button');
    assert.equal(await deactivate.isEnabled(), false, 'deactivation is refused in the first 5 minutes');
    assert.match((await testIdText(browser, 'deactivate-reason')) ?? '', /5 minutes/);

    // --- a duration above the policy maximum is refused before anything is sent ---------------
    await clickInRow(browser, 'Prod DB Admins', 'activate-button');
    await waitForTestId(browser, 'activation-form', { why: 'the activation form opens for Prod DB Admins' });
    await setField(browser, 'duration-minutes', '300');
    await setField(browser, 'justification', 'Failover drill INC-77');
    await setField(browser, 'ticket-number', 'CHG-7');
    await (await waitForTestId(browser, 'submit-activation')).click();
    await waitForTestId(browser, 'form-error', { why: '300 minutes is above the 4 h maximum' });
    assert.equal(await browser.$(byTestId('activation-outcome')).isExisting(), false, 'nothing was sent');

    // --- approval-gated: pending, not active; then canceled -----------------------------------
    await setField(browser, 'duration-minutes', '60');
    await (await waitForTestId(browser, 'submit-activation')).click();
    const pending = await pollUntil(
      () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
      (s) => s && s !== 'sending',
      { timeout: 15_000, message: (s) => `expected an outcome for Prod DB Admins; status ${s}` },
    );
    assert.equal(pending, 'pendingApproval', 'approval-gated requests wait; 201 is not active');
    await (await waitForTestId(browser, 'close-outcomes')).click();
    await pollUntil(() => rowsOf(browser, 'pending-row', 'pending-name'), (r) => r.includes('Prod DB Admins'), {
      timeout: 15_000,
      message: (r) => `expected Prod DB Admins under Requests; saw ${JSON.stringify(r)}`,
    });
    assert.deepEqual(await rowsOf(browser, 'active-row', 'active-name'), ['On-call Responders'], 'not active before approval');
    await browser.execute(() => window.scrollTo(0, 0));
    await screenshot(browser, path.join(artifactsDir(), 'activation.png'));

    assert.equal(await rowState(browser, 'Prod DB Admins'), 'requested', 'a waiting request is shown on its row');

    await (await waitForTestId(browser, 'cancel-request')).click();
    await pollUntil(() => rowsOf(browser, 'pending-row', 'pending-name'), (r) => !r.includes('Prod DB Admins'), {
      timeout: 15_000,
      message: (r) => `the canceled request should leave Requests; saw ${JSON.stringify(r)}`,
    });
    await pollUntil(() => rowState(browser, 'Prod DB Admins'), (state) => state === 'offers activate', {
      timeout: 10_000,
      message: (state) => `after the cancel, Prod DB Admins can be asked for again; its row shows ${state}`,
    });

    // --- a directory role: Global Reader with a justification, active with a countdown --------
    assert.ok((await badgesOf(browser, 'Global Reader')).includes('justification'), 'Global Reader needs a justification');
    await clickInRow(browser, 'Global Reader', 'activate-button');
    await waitForTestId(browser, 'activation-form', { why: 'the activation form opens for Global Reader' });
    await setField(browser, 'justification', 'Audit review AUD-12');
    await (await browser.$('[data-testid="duration-preset"][data-minutes="120"]')).click();
    await (await waitForTestId(browser, 'submit-activation')).click();
    const roleOutcome = await pollUntil(
      () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
      (s) => s && s !== 'sending',
      { timeout: 15_000, message: (s) => `expected an outcome for Global Reader; status ${s}` },
    );
    assert.equal(roleOutcome, 'provisioned', 'Global Reader has no approval: active at once');
    assert.equal(
      await browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.plane ?? null),
      'directoryRole',
      'the outcome is for the directory role',
    );
    await (await waitForTestId(browser, 'close-outcomes')).click();
    await pollUntil(() => rowsOf(browser, 'active-row', 'active-name'), (r) => r.includes('Global Reader'), {
      timeout: 15_000,
      message: (r) => `expected Global Reader under Active now; saw ${JSON.stringify(r)}`,
    });
    const roleLeft = parseCountdown(await countdownOf(browser, 'Global Reader'));
    assert.ok(roleLeft > 115 * 60 && roleLeft <= 120 * 60, `about two hours left for Global Reader, got ${roleLeft} s`);
    await pollUntil(() => countdownOf(browser, 'Global Reader'), (t) => parseCountdown(t) < roleLeft, {
      timeout: 5_000,
      message: (t) => `Global Reader's countdown should tick; still ${t}`,
    });
    assert.equal(await rowState(browser, 'Global Reader'), 'active', 'an active role is not offered again');
  });
});
