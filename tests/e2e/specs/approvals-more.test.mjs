// The approver and the requester on the real window, against a standalone sandbox whose clock
// the spec moves, in one app session with people signing in and out in turn:
//   a. Ada asks for Prod DB Admins (a group) and Exchange Administrator (a role), both gated by
//      approval; Chloé's inbox shows both with justification and ticket; she approves one and
//      denies the other with a reason; Ada finds one active (notified at dunst) and one denied
//      with Chloé's reason.
//   b. Ben, Dmitri and Grace ask for Prod DB Admins (straight on Graph); Chloé selects the three
//      and approves them in one decision; each shows its own outcome.
//   c. Ben's Exchange Administrator request sits in Chloé's inbox while Elena approves it (on
//      Graph); Chloé's deny is explained as "already decided by someone else", not a failure.
//   e. With everything decided, Chloé's inbox is empty: the empty state, and no rows.
//   d. Ada asks for Exchange Administrator again; Chloé's detail view lists her denied request
//      with the reason; nobody decides, the sandbox's clock moves 25 h: Chloé's inbox is empty
//      again and Ada sees the request as expired, not pending.
// The tenant is the demo tenant with three more eligibilities (Dmitri and Grace for Prod DB
// Admins, Ben for Exchange Administrator), written to a temporary file and removed at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  artifactsDir,
  byTestId,
  clearSecrets,
  pollUntil,
  removeAppConfig,
  sandboxConfig,
  scratchHome,
  screenshot,
  startSandbox,
  waitForTestId,
  withSession,
} from '../lib/harness.mjs';
import {
  ADA,
  BEN,
  CHLOE,
  DMITRI,
  ELENA,
  GRACE,
  decideAs,
  graphAs,
  notificationMark,
  requestAs,
  requestInApp,
  setField,
  signInAs,
  signOut,
  waitForNotification,
} from '../lib/people.mjs';

const PROD_DB = { groupId: '9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd' };
const EXCHANGE_ADMIN = { roleDefinitionId: '29232cdf-9323-42fd-ade2-1d097af3e4de' };
const DEMO_TENANT = fileURLToPath(new URL('../../../crates/latchkey-sandbox/data/demo-tenant.json', import.meta.url));

/** The demo tenant with enough approval-gated eligibilities for three requesters at once. */
function writeTenant() {
  const tenant = JSON.parse(fs.readFileSync(DEMO_TENANT, 'utf8'));
  const window = { start: '-P10D', end: 'P100D' };
  tenant.groupEligibilities.push(
    { id: 'e2e0a001-0000-4000-8000-000000000001', principal: DMITRI.key, group: 'prod-db-admins', accessId: 'member', ...window },
    { id: 'e2e0a001-0000-4000-8000-000000000002', principal: GRACE.key, group: 'prod-db-admins', accessId: 'member', ...window },
  );
  tenant.roleEligibilities.push({ id: 'e2e0a001-0000-4000-8000-000000000003', principal: BEN.key, role: 'exchange-admin', ...window });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-approvals-'));
  const file = path.join(dir, 'tenant.json');
  fs.writeFileSync(file, JSON.stringify(tenant));
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The inbox rows as a person reads them. */
async function inboxRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="approval-row"]')].map((row) => {
      const text = (id) => row.querySelector(`[data-testid="${id}"]`)?.textContent.replace(/\s+/g, ' ').trim() ?? null;
      return {
        id: row.dataset.approvalId,
        plane: row.dataset.plane,
        requester: text('approval-requester'),
        target: text('approval-target'),
        justification: text('approval-justification'),
        ticket: text('approval-ticket'),
      };
    }),
  );
}

/** Opens the inbox and waits until it lists `count` requests. */
async function openInbox(browser, count) {
  await (await waitForTestId(browser, 'view-approvals', { why: 'the Approvals view' })).click();
  return pollUntil(() => inboxRows(browser), (rows) => rows.length === count, {
    timeout: 20_000,
    message: (rows) => `expected ${count} requests in the inbox; saw ${JSON.stringify(rows)}`,
  });
}

const rowById = (browser, id) => browser.$(`[data-testid="approval-row"][data-approval-id="${id}"]`);

/** Types a reason in the row and presses Approve or Deny there. */
async function decideInRow(browser, id, approve, reason) {
  const row = rowById(browser, id);
  const field = row.$(byTestId('decision-reason'));
  await field.clearValue();
  await field.setValue(reason);
  await row.$(byTestId(approve ? 'approve-button' : 'deny-button')).click();
}

/** The "Your last decisions" lines: { outcome, text }. */
async function decisionResults(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="decision-result"]')].map((li) => ({
      outcome: li.dataset.outcome,
      text: li.textContent.replace(/\s+/g, ' ').trim(),
    })),
  );
}

async function waitForResults(browser, done, what) {
  return pollUntil(() => decisionResults(browser), done, {
    timeout: 15_000,
    message: (r) => `expected ${what}; saw ${JSON.stringify(r)}`,
  });
}

/** Ada's refused requests under "Requests": { status, name, state, reason }. */
async function refusedRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="refused-row"]')].map((row) => {
      const text = (id) => row.querySelector(`[data-testid="${id}"]`)?.textContent.replace(/\s+/g, ' ').trim() ?? null;
      return { status: row.dataset.status, name: text('refused-name'), headline: text('refused-status'), reason: text('refused-reason') };
    }),
  );
}

const pendingNames = (browser) =>
  browser.execute(() => [...document.querySelectorAll('[data-testid="pending-row"]')].map((r) => r.querySelector('[data-testid="pending-name"]')?.textContent.trim()));

async function showMyAccess(browser) {
  await (await waitForTestId(browser, 'view-access', { why: 'the Your access view' })).click();
}

/** Files under the app's data dir ($XDG_DATA_HOME/latchkey), to remove what this spec added. */
function dataFiles() {
  const dir = path.join(process.env.XDG_DATA_HOME ?? path.join(scratchHome(), '.local', 'share'), 'latchkey');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
}

test('two approval-gated requests decided both ways, a batch of three, a race lost to another approver, an empty inbox and an expiry', { timeout: 420_000 }, async () => {
  scratchHome();
  removeAppConfig();
  clearSecrets({ service: 'latchkey' });
  const filesBefore = new Set(dataFiles());
  const tenant = writeTenant();
  // A 1 s device-code interval keeps each of the six sign-ins short.
  const sandbox = await startSandbox({ name: 'approvals-more', args: ['--data', tenant.file, '--device-code-interval', '1'] });
  try {
    const mark = notificationMark();
    await withSession({ name: 'approvals-more', config: sandboxConfig(sandbox.url) }, async ({ browser }) => {
      // --- a. Ada asks for a group and a role, both gated by approval --------------------------
      await signInAs(browser, ADA);
      await showMyAccess(browser);
      assert.equal(await requestInApp(browser, 'Prod DB Admins', { minutes: 60, justification: 'Restore drill', ticket: 'CHG-88' }), 'pendingApproval');
      assert.equal(
        await requestInApp(browser, 'Exchange Administrator', { minutes: 60, justification: 'Mail flow to support is broken', ticket: 'INC-7' }),
        'pendingApproval',
      );
      await signOut(browser);

      // --- b, c. Three more for Prod DB Admins, and Ben's Exchange Administrator, on Graph ------
      const batch = [];
      for (const person of [BEN, DMITRI, GRACE]) {
        const graph = await graphAs(sandbox.url, person);
        batch.push({ person, request: await requestAs(graph, PROD_DB, { justification: `${person.name}: failover drill`, ticket: 'CHG-90' }) });
      }
      const benGraph = await graphAs(sandbox.url, BEN);
      const raced = await requestAs(benGraph, EXCHANGE_ADMIN, { justification: 'Shared mailbox migration', ticket: 'CHG-91' });
      for (const r of [...batch.map((b) => b.request), raced]) assert.equal(r.status, 'PendingApproval');

      // --- Chloé's inbox: all six, Ada's two with justification and ticket ----------------------
      await signInAs(browser, CHLOE);
      const rows = await openInbox(browser, 6);
      const adaGroup = rows.find((r) => r.requester === ADA.name && r.target === 'Prod DB Admins');
      const adaRole = rows.find((r) => r.requester === ADA.name && r.target === 'Exchange Administrator');
      assert.ok(adaGroup && adaRole, `Ada's two requests in ${JSON.stringify(rows)}`);
      assert.equal(adaGroup.plane, 'group');
      assert.equal(adaRole.plane, 'directoryRole');
      assert.match(adaGroup.justification ?? '', /Restore drill/);
      assert.match(adaGroup.ticket ?? '', /CHG-88/);
      assert.match(adaRole.justification ?? '', /Mail flow to support is broken/);
      assert.match(adaRole.ticket ?? '', /INC-7/);
      await screenshot(browser, path.join(artifactsDir(), 'approvals-more-inbox.png'));

      // c. Elena approves Ben's request while it sits in Chloé's inbox; Chloé then denies it.
      assert.ok(rows.some((r) => r.id === raced.approvalId), 'Ben’s Exchange request is listed');
      const elena = await graphAs(sandbox.url, ELENA);
      await decideAs(elena, { plane: 'directoryRole', approvalId: raced.approvalId }, true, 'Migration is on the change calendar');
      await decideInRow(browser, raced.approvalId, false, 'Not this week');
      const lost = await waitForResults(browser, (r) => r.length === 1 && r[0].outcome !== undefined, 'the outcome of the raced decision');
      assert.equal(lost[0].outcome, 'alreadyDecided', JSON.stringify(lost));
      assert.match(lost[0].text, /Ben Tanaka/);
      assert.match(lost[0].text, /No longer waiting for you/);
      assert.match(lost[0].text, /Already decided by someone else/);
      assert.equal(await rowById(browser, raced.approvalId).isExisting(), false, 'the raced request left the inbox');
      assert.equal(await browser.$(byTestId('decision-error')).isExisting(), false, 'not shown as a failure of ours');

      // a. Approve Ada's group, deny her role with a reason.
      await decideInRow(browser, adaGroup.id, true, 'Drill approved');
      await waitForResults(browser, (r) => r.length === 1 && r[0].outcome === 'approved' && /Ada Okafor/.test(r[0].text), 'Ada’s group approved');
      await decideInRow(browser, adaRole.id, false, 'Not during the freeze');
      await waitForResults(browser, (r) => r.length === 1 && r[0].outcome === 'denied' && /Exchange Administrator/.test(r[0].text), 'Ada’s role denied');
      for (const id of [adaGroup.id, adaRole.id]) assert.equal(await rowById(browser, id).isExisting(), false, `${id} left the inbox`);

      // b. Select the three remaining requests and approve them in one decision.
      const left = await inboxRows(browser);
      assert.deepEqual(left.map((r) => r.id).sort(), batch.map((b) => b.request.approvalId).sort(), 'the three batch requests remain');
      for (const { request } of batch) await rowById(browser, request.approvalId).$(byTestId('select-approval')).click();
      await setField(browser, 'batch-reason', 'Failover drill approved');
      const approveSelected = await waitForTestId(browser, 'approve-selected');
      assert.match(await approveSelected.getText(), /Approve selected \(3\)/);
      await approveSelected.click();
      const three = await waitForResults(browser, (r) => r.length === 3, 'three outcomes from the batch');
      assert.deepEqual(
        three.map((r) => r.outcome),
        ['approved', 'approved', 'approved'],
        JSON.stringify(three),
      );
      for (const { person } of batch) assert.ok(three.some((r) => r.text.includes(person.name)), `${person.name}'s outcome in ${JSON.stringify(three)}`);

      // e. Nothing waits now: the empty state, and no rows.
      await waitForTestId(browser, 'approvals-empty', { why: 'the empty inbox' });
      assert.match((await browser.$(byTestId('approvals-empty')).getText()).replace(/\s+/g, ' '), /Nothing waits for your decision/);
      assert.equal((await inboxRows(browser)).length, 0);
      await signOut(browser);

      // --- Ada: one active and notified, one denied with Chloé's reason --------------------------
      await signInAs(browser, ADA);
      await showMyAccess(browser);
      await pollUntil(
        () =>
          browser.execute(() =>
            [...document.querySelectorAll('[data-testid="active-row"]')].map((r) => r.querySelector('[data-testid="active-name"]')?.textContent.trim()),
          ),
        (names) => names.includes('Prod DB Admins'),
        { timeout: 20_000, message: (names) => `expected Prod DB Admins under Active now; saw ${JSON.stringify(names)}` },
      );
      await waitForNotification('Prod DB Admins approved', { mark });
      await waitForNotification('Exchange Administrator denied', { mark });
      const refused = await pollUntil(() => refusedRows(browser), (r) => r.some((row) => row.status === 'denied'), {
        timeout: 20_000,
        message: (r) => `expected Ada's denied request under Requests; saw ${JSON.stringify(r)}`,
      });
      const denied = refused.find((row) => row.status === 'denied');
      assert.equal(denied.name, 'Exchange Administrator');
      assert.equal(denied.headline, 'Denied');
      assert.equal(denied.reason, 'Not during the freeze');
      assert.ok(!(await pendingNames(browser)).includes('Exchange Administrator'), 'a denied request is not pending');
      await screenshot(browser, path.join(artifactsDir(), 'approvals-more-denied.png'));

      // d. Ada asks again; nobody will decide.
      assert.equal(
        await requestInApp(browser, 'Exchange Administrator', { minutes: 60, justification: 'Mail flow, second try', ticket: 'INC-8' }),
        'pendingApproval',
      );
      await pollUntil(() => pendingNames(browser), (names) => names.includes('Exchange Administrator'), {
        timeout: 15_000,
        message: (names) => `expected the new request under Requests; saw ${JSON.stringify(names)}`,
      });
      await signOut(browser);

      // --- Chloé's detail view shows Ada's earlier, denied request; then 25 h pass ---------------
      await signInAs(browser, CHLOE);
      const [again] = await openInbox(browser, 1);
      assert.equal(again.requester, ADA.name);
      assert.equal(again.target, 'Exchange Administrator');
      const row = rowById(browser, again.id);
      const toggle = row.$(byTestId('approval-history-toggle'));
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      await toggle.click();
      await row.$(byTestId('approval-history-row')).waitForDisplayed({ timeout: 15_000, timeoutMsg: 'expected Ada’s earlier request in the detail view' });
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      const history = await browser.execute(
        (id) =>
          [...document.querySelectorAll(`[data-approval-id="${id}"] [data-testid="approval-history-row"]`)].map((r) => ({
            status: r.dataset.status,
            reason: r.querySelector('[data-testid="approval-history-reason"]')?.textContent.trim() ?? null,
            justification: r.querySelector('[data-testid="approval-history-justification"]')?.textContent.trim() ?? null,
          })),
        again.id,
      );
      assert.deepEqual(history, [{ status: 'denied', reason: 'Reason given: Not during the freeze', justification: '“Mail flow to support is broken”' }]);
      await screenshot(browser, path.join(artifactsDir(), 'approvals-more-history.png'));

      const moved = await fetch(`${sandbox.url}/_sandbox/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'PT25H' }),
      });
      assert.equal(moved.status, 200, await moved.text());
      await (await waitForTestId(browser, 'refresh-approvals')).click();
      await waitForTestId(browser, 'approvals-empty', { timeout: 20_000, why: 'the expired request no longer waits' });
      assert.equal((await inboxRows(browser)).length, 0);
      await signOut(browser);

      // --- Ada sees it expired, not pending --------------------------------------------------------
      await signInAs(browser, ADA);
      await showMyAccess(browser);
      const afterExpiry = await pollUntil(() => refusedRows(browser), (r) => r.some((row) => row.status === 'timedOut'), {
        timeout: 20_000,
        message: (r) => `expected Ada's expired request under Requests; saw ${JSON.stringify(r)}`,
      });
      const expired = afterExpiry.find((row) => row.status === 'timedOut');
      assert.equal(expired.name, 'Exchange Administrator');
      assert.equal(expired.headline, 'Expired: nobody decided within 24 hours');
      assert.equal(expired.reason, null);
      assert.ok(!(await pendingNames(browser)).includes('Exchange Administrator'), `not pending: ${JSON.stringify(await pendingNames(browser))}`);
      await waitForNotification('Exchange Administrator: no decision', { mark });
      await signOut(browser);
    });
  } finally {
    await sandbox.stop();
    tenant.remove();
    for (const file of dataFiles()) if (!filesBefore.has(file)) fs.rmSync(file, { recursive: true, force: true });
    removeAppConfig();
    clearSecrets({ service: 'latchkey' });
  }
});
