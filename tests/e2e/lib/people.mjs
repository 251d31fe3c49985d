// The sandbox tenant's people, as the end-to-end specs use them: signing one in and out of the
// real window, filling a field, asking for access from a row, reading the notification daemon,
// and — for the other side of a scenario that the window does not show — acting as a person
// straight on the sandbox's Graph (a token from the device-code flow, signed in through the
// sandbox's control API).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pollUntil, submitDeviceLogin, waitForTestId, waitForText } from './harness.mjs';

/** The demo tenant's people (crates/latchkey-sandbox/data/demo-tenant.json). */
export const ADA = { key: 'ada', upn: 'ada@fabrikam.example', name: 'Ada Okafor', id: '8593dd9e-f545-42a4-bb60-1960cbb136bd' };
export const BEN = { key: 'ben', upn: 'ben@fabrikam.example', name: 'Ben Tanaka', id: 'fcbaf935-79fa-4c94-80bb-e882741ba324' };
export const CHLOE = { key: 'chloe', upn: 'chloe@fabrikam.example', name: 'Chloé Martin', id: 'b34a9392-473f-4a62-be71-8ef714fc9234' };
export const DMITRI = { key: 'dmitri', upn: 'dmitri@fabrikam.example', name: 'Dmitri Volkov', id: '695d393b-8244-4b87-96a7-3acc12784ada' };
export const ELENA = { key: 'elena', upn: 'elena@fabrikam.example', name: 'Elena García', id: 'd90bb2c9-b6ad-4629-8538-45e395808c25' };
export const GRACE = { key: 'grace', upn: 'grace@fabrikam.example', name: 'Grace Liu', id: 'fb2f3881-f77d-4970-bb12-fbfea47072fa' };

/** The demo tenant's Latchkey app registration. */
export const CLIENT_ID = '3c283852-3d99-4261-9837-92c6a96d53fd';

// ---------------------------------------------------------------------------------------------
// In the window
// ---------------------------------------------------------------------------------------------

/** Signs `person` in from the signed-out window with the device code, through the sign-in page. */
export async function signInAs(browser, person) {
  await (await waitForTestId(browser, 'sign-in-button', { timeout: 30_000, why: `signed out before ${person.name}` })).click();
  await finishDeviceCode(browser, person);
}

/** Completes a device-code sign-in the window shows (its code and page) as `person`. */
export async function finishDeviceCode(browser, person) {
  const userCode = await waitForText(browser, 'user-code', (t) => t.length >= 6, { why: 'the device code' });
  const uri = await waitForText(browser, 'verification-uri', (t) => t.startsWith('http://127.0.0.1:'), { why: 'the sign-in page' });
  const page = await submitDeviceLogin(uri, { userCode, loginHint: person.upn, decision: 'approve' });
  assert.equal(page.status, 200, page.body.slice(0, 300));
  await waitForText(browser, 'account-name', (t) => t.includes(person.name), { timeout: 25_000, why: `${person.name} signed in` });
}

/** Clicks the element with test id `id` in the eligible row named `name` (a group or a role). */
export async function clickInRow(browser, name, id, { timeout = 15_000 } = {}) {
  await pollUntil(
    () =>
      browser.execute(
        (wanted, testId) => {
          const row = [...document.querySelectorAll('[data-testid="eligible-row"]')].find(
            (r) => r.querySelector('[data-testid="eligible-name"]')?.textContent.trim() === wanted,
          );
          const target = row?.querySelector(`[data-testid="${testId}"]`);
          target?.click();
          return Boolean(target);
        },
        name,
        id,
      ),
    (done) => done,
    { timeout, message: () => `expected [data-testid="${id}"] in the row of "${name}"` },
  );
}

/** Signs the current account out and waits for the signed-out window. */
export async function signOut(browser) {
  await (await waitForTestId(browser, 'sign-out', { why: 'the Sign out button' })).click();
  await waitForTestId(browser, 'sign-in-button', { timeout: 15_000, why: 'signed out' });
}

/** Replaces the value of the field [data-testid=id] by typing. */
export async function setField(browser, id, value) {
  const field = await waitForTestId(browser, id, { why: `the ${id} field` });
  await field.clearValue();
  await field.setValue(value);
}

/**
 * Asks for `name` (a group or role in "Eligible") from its row's Activate button with the form's
 * duration, justification and ticket; closes the outcome and returns its status (e.g.
 * `pendingApproval`).
 */
export async function requestInApp(browser, name, { minutes, justification, ticket }) {
  await clickInRow(browser, name, 'activate-button', { timeout: 20_000 });
  await waitForTestId(browser, 'activation-form', { why: `the activation form for ${name}` });
  await setField(browser, 'duration-minutes', String(minutes));
  await setField(browser, 'justification', justification);
  if (ticket !== undefined) await setField(browser, 'ticket-number', ticket);
  await (await waitForTestId(browser, 'submit-activation')).click();
  const status = await pollUntil(
    () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
    (s) => s && s !== 'sending',
    { timeout: 15_000, message: (s) => `expected an outcome for ${name}; status ${s}` },
  );
  await (await waitForTestId(browser, 'close-outcomes')).click();
  return status;
}

// ---------------------------------------------------------------------------------------------
// The notification daemon (dunst on the rig's session bus)
// ---------------------------------------------------------------------------------------------

function notificationHistory() {
  execFileSync('dunstctl', ['close-all']); // closing the shown ones files them in the history
  const history = JSON.parse(execFileSync('dunstctl', ['history'], { encoding: 'utf8' }));
  return history.data.flat().map((n) => ({ id: Number(n.id?.data ?? 0), summary: n.summary?.data ?? '' }));
}

/**
 * A mark in dunst's history: notifications after it are this spec's own (this dunst cannot
 * clear its history, and the specs of one run share it).
 */
export function notificationMark() {
  return Math.max(0, ...notificationHistory().map((n) => n.id));
}

/** Summaries of the notifications dunst received after `mark` (all of them without one). */
export function notificationSummaries(mark = 0) {
  return notificationHistory()
    .filter((n) => n.id > mark)
    .map((n) => n.summary);
}

/** Waits until dunst received, after `mark`, a notification whose summary is `summary`. */
export async function waitForNotification(summary, { mark = 0, timeout = 30_000 } = {}) {
  return pollUntil(() => notificationSummaries(mark), (all) => all.includes(summary), {
    timeout,
    interval: 1_000,
    message: (all) => `expected a "${summary}" notification; dunst saw ${JSON.stringify(all)}`,
  });
}

// ---------------------------------------------------------------------------------------------
// As a person, straight on the sandbox's Graph
// ---------------------------------------------------------------------------------------------

const form = (fields) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  signal: AbortSignal.timeout(15_000),
});

/**
 * A Graph client acting as `person` on the standalone sandbox at `sandboxUrl`: a device-code
 * sign-in completed through `/_sandbox/device-codes/{code}/complete`, then `get`/`post`/`patch`
 * returning `{ status, body }`.
 */
export async function graphAs(sandboxUrl, person, { tenant = 'fabrikam.example' } = {}) {
  const authority = `${sandboxUrl}/${tenant}/oauth2/v2.0`;
  const scope = 'https://graph.microsoft.com/.default offline_access';
  const code = await (await fetch(`${authority}/devicecode`, form({ client_id: CLIENT_ID, scope }))).json();
  assert.ok(code.device_code, `device code for ${person.name}: ${JSON.stringify(code)}`);
  const done = await fetch(`${sandboxUrl}/_sandbox/device-codes/${encodeURIComponent(code.user_code)}/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: person.upn, mfa: false }),
    signal: AbortSignal.timeout(15_000),
  });
  assert.ok(done.ok, `completing ${person.name}'s sign-in: ${done.status} ${await done.text()}`);
  const token = await (
    await fetch(`${authority}/token`, form({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: CLIENT_ID, device_code: code.device_code }))
  ).json();
  assert.ok(token.access_token, `${person.name}'s token: ${JSON.stringify(token).slice(0, 200)}`);
  const call = async (method, path, body) => {
    const res = await fetch(`${sandboxUrl}/${path.replace(/^\//, '')}`, {
      method,
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  };
  return {
    person,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
  };
}

const GROUP_REQUESTS = 'v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests';
const ROLE_REQUESTS = 'v1.0/roleManagement/directory/roleAssignmentScheduleRequests';

/**
 * `graph`'s person asks for a group membership (`{ groupId }`) or a directory role
 * (`{ roleDefinitionId }`), as the app would; returns the created request (asserting 201).
 */
export async function requestAs(graph, target, { minutes = 60, justification, ticket }) {
  const common = {
    action: 'selfActivate',
    principalId: graph.person.id,
    justification,
    ticketInfo: ticket === undefined ? undefined : { ticketNumber: ticket, ticketSystem: 'ServiceNow' },
    scheduleInfo: { expiration: { type: 'afterDuration', duration: `PT${minutes}M` } },
  };
  const [path, body] =
    target.groupId !== undefined
      ? [GROUP_REQUESTS, { ...common, groupId: target.groupId, accessId: 'member' }]
      : [ROLE_REQUESTS, { ...common, roleDefinitionId: target.roleDefinitionId, directoryScopeId: '/' }];
  const res = await graph.post(path, body);
  assert.equal(res.status, 201, `${graph.person.name}'s request: ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * `graph`'s person decides approval `approvalId` (a group's on v1.0 `stages`, a role's on beta
 * `steps`, reference §4.2) on the stage assigned to them; asserts 204.
 */
export async function decideAs(graph, { plane, approvalId }, approve, justification) {
  const base =
    plane === 'group'
      ? `v1.0/identityGovernance/privilegedAccess/group/assignmentApprovals/${approvalId}/stages`
      : `beta/roleManagement/directory/roleAssignmentApprovals/${approvalId}/steps`;
  const stages = await graph.get(base);
  assert.equal(stages.status, 200, JSON.stringify(stages.body));
  const mine = stages.body.value.find((s) => s.status === 'InProgress' && s.assignedToMe);
  assert.ok(mine, `no stage waits for ${graph.person.name}: ${JSON.stringify(stages.body.value)}`);
  const res = await graph.patch(`${base}/${mine.id}`, { reviewResult: approve ? 'Approve' : 'Deny', justification });
  assert.equal(res.status, 204, `${graph.person.name}'s decision: ${JSON.stringify(res.body)}`);
}
