// Deactivating once the first 5 minutes have passed, on the real window against a standalone
// sandbox. The app follows the real clock (it never special-cases the sandbox), so the time
// travel is done on the service's side: the sandbox's clock is set 6 minutes back before Ada
// activates On-call Responders, then forward again — PIM and the app now both see an
// activation that began 6 minutes ago. The Deactivate button is enabled with no reason shown,
// a click ends the membership in the service (a selfDeactivate in its request log, no active
// assignment left), and the item leaves "Active now" and the tray.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clearSecrets,
  pollUntil,
  removeAppConfig,
  sandboxConfig,
  scratchHome,
  startSandbox,
  trayMenuLabels,
  waitForTestId,
  withSession,
} from '../lib/harness.mjs';
import { ADA, requestInApp, signInAs } from '../lib/people.mjs';

const OCR = 'On-call Responders';
const OCR_GROUP = '33f73669-9719-4f27-9afa-4a29fdc859ba';
const LOG = `/_sandbox/requests?principal=${ADA.upn}`;

async function control(sandbox, path, body) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return res.json();
}

const ocrAssignments = (log) => log.activeAssignments.filter((a) => a.target?.groupId === OCR_GROUP);
const ocrRequests = (log, action) =>
  log.requests.filter((r) => r.plane === 'group' && r.action === action && r.target?.groupId === OCR_GROUP);

test('after 5 minutes an activation can be ended from the window, and the service ends it', { timeout: 240_000 }, async () => {
  scratchHome();
  removeAppConfig();
  clearSecrets({ service: 'latchkey' });
  const sandbox = await startSandbox({ name: 'deactivate' });
  try {
    await withSession({ name: 'deactivate', config: sandboxConfig(sandbox.url) }, async ({ browser, appPid }) => {
      await signInAs(browser, ADA);

      await control(sandbox, '/_sandbox/clock/advance', { by: '-PT6M' });
      const status = await requestInApp(browser, OCR, { minutes: 60, justification: 'Pager handover, ending early' });
      assert.equal(status, 'provisioned');
      await control(sandbox, '/_sandbox/clock/advance', { by: 'PT6M' });
      assert.equal(ocrAssignments(await control(sandbox, LOG)).length, 1, 'active in the service');

      const row = await pollUntil(
        () =>
          browser.execute((name) => {
            const r = [...document.querySelectorAll('[data-testid="active-row"]')].find((x) => x.textContent.includes(name));
            const button = r?.querySelector('[data-testid="deactivate-button"]');
            return button ? { enabled: !button.disabled, reason: r.querySelector('[data-testid="deactivate-reason"]')?.textContent ?? null } : null;
          }, OCR),
        (r) => r !== null,
        { timeout: 20_000, message: () => `expected ${OCR} under Active now with a Deactivate button` },
      );
      assert.deepEqual(row, { enabled: true, reason: null }, 'six minutes in: nothing holds deactivation back');

      await browser.execute((name) => {
        const r = [...document.querySelectorAll('[data-testid="active-row"]')].find((x) => x.textContent.includes(name));
        r.querySelector('[data-testid="deactivate-button"]').click();
      }, OCR);

      const log = await pollUntil(
        () => control(sandbox, LOG),
        (l) => ocrAssignments(l).length === 0,
        { timeout: 20_000, message: (l) => `expected the service to end Ada's membership; active: ${JSON.stringify(ocrAssignments(l))}` },
      );
      assert.equal(ocrRequests(log, 'selfDeactivate').length, 1, 'exactly one deactivation request was sent');

      await pollUntil(
        () => browser.execute((name) => [...document.querySelectorAll('[data-testid="active-row"]')].some((x) => x.textContent.includes(name)), OCR),
        (shown) => !shown,
        { timeout: 20_000, message: () => `expected ${OCR} to leave Active now` },
      );
      await waitForTestId(browser, 'eligible-row', { why: 'the eligible list is still there' });
      await pollUntil(
        () => trayMenuLabels(appPid()),
        (labels) => !labels.some((l) => l.startsWith(`${OCR} — `) && !l.endsWith('ending now')),
        { timeout: 90_000, message: (l) => `expected the tray to stop counting down ${OCR}; it has ${JSON.stringify(l)}` },
      );
    });
  } finally {
    await sandbox.stop();
    removeAppConfig();
    clearSecrets({ service: 'latchkey' });
  }
});
