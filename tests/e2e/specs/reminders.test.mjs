// A notification before expiry, observed at the notification daemon (dunst on the session bus):
// Ada activates On-call Responders for 15 minutes, which is inside the default 15-minute lead
// time at once, so "On-call Responders ends in 15 min" is due on the watcher's first look —
// no clock travel needed (the app follows the real clock; it never special-cases the sandbox).
// It shows exactly once: also after Latchkey restarts (the sent log in the data dir), which the
// test proves by waiting until the restarted watcher has listed the item in the tray — the same
// pass that would show a due reminder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  byTestId,
  clearSecrets,
  pollUntil,
  removeAppConfig,
  requireEnv,
  sandboxConfig,
  scratchHome,
  startSandbox,
  submitDeviceLogin,
  trayMenuLabels,
  waitForTestId,
  waitForText,
  withSession,
} from '../lib/harness.mjs';

const ADA = 'ada@fabrikam.example';
const SUMMARY = 'On-call Responders ends in 15 min';

function summaries() {
  execFileSync('dunstctl', ['close-all']);
  const history = JSON.parse(execFileSync('dunstctl', ['history'], { encoding: 'utf8' }));
  return history.data.flat().map((n) => n.summary?.data ?? '');
}

const trayLine = (labels) => labels.find((l) => l.startsWith('On-call Responders — '));

test('a reminder before expiry reaches the notification daemon exactly once, across a restart', { timeout: 240_000 }, async () => {
  scratchHome();
  clearSecrets({ service: 'latchkey' });
  // A standalone sandbox outlives the app, so the activation is still there after the restart.
  const sandbox = await startSandbox({ name: 'reminders' });
  const config = sandboxConfig(sandbox.url);
  try {
    await withSession({ name: 'reminders-1', config }, async ({ browser, appPid }) => {
      await (await waitForTestId(browser, 'sign-in-button', { timeout: 30_000, why: 'signed out at start' })).click();
      const userCode = await waitForText(browser, 'user-code', (t) => t.length >= 6, { why: 'the device code' });
      const uri = await waitForText(browser, 'verification-uri', (t) => t.startsWith('http://127.0.0.1:'), { why: 'the sign-in page' });
      const page = await submitDeviceLogin(uri, { userCode, loginHint: ADA, decision: 'approve' });
      assert.equal(page.status, 200, page.body.slice(0, 300));
      await waitForText(browser, 'account-name', (t) => t.includes('Ada Okafor'), { timeout: 25_000, why: 'Ada signed in' });
      await pollUntil(
        () => browser.execute(() => document.querySelectorAll('[data-testid="eligible-row"]').length),
        (n) => n >= 5,
        { timeout: 20_000, message: (n) => `expected Ada's eligible list; ${n} rows` },
      );
      assert.ok(!summaries().includes(SUMMARY), 'nothing before the activation');

      const clicked = await browser.execute(() => {
        const row = [...document.querySelectorAll('[data-testid="eligible-row"]')].find(
          (r) => r.querySelector('[data-testid="eligible-name"]')?.textContent.trim() === 'On-call Responders',
        );
        row?.querySelector('[data-testid="activate-button"]')?.click();
        return Boolean(row);
      });
      assert.ok(clicked, 'On-call Responders is eligible');
      const minutes = await waitForTestId(browser, 'duration-minutes', { why: 'the activation form' });
      await minutes.clearValue();
      await minutes.setValue('15');
      await (await waitForTestId(browser, 'justification')).setValue('Reminder check');
      await (await waitForTestId(browser, 'submit-activation')).click();
      const status = await pollUntil(
        () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
        (s) => s && s !== 'sending',
        { timeout: 15_000, message: (s) => `expected an outcome; status ${s}` },
      );
      assert.equal(status, 'provisioned');

      const seen = await pollUntil(summaries, (s) => s.includes(SUMMARY), {
        timeout: 45_000,
        interval: 1_000,
        message: (s) => `expected "${SUMMARY}"; dunst saw ${JSON.stringify(s)}`,
      });
      assert.equal(seen.filter((s) => s === SUMMARY).length, 1, JSON.stringify(seen));
      assert.ok(!seen.some((s) => s === 'On-call Responders ends in 5 min'), 'the 5-minute one is not due yet');
      await pollUntil(() => trayMenuLabels(appPid()), (labels) => trayLine(labels) !== undefined, {
        timeout: 20_000,
        message: (labels) => `expected the tray to list On-call Responders; ${JSON.stringify(labels)}`,
      });
      assert.equal(await browser.$(byTestId('close-outcomes')).isExisting(), true);
    });

    const restartedAt = new Date();
    // --- restarted: signed in again from the keyring, same activation, no second reminder -------
    await withSession({ name: 'reminders-2', config }, async ({ browser, appPid }) => {
      await waitForText(browser, 'account-name', (t) => t.includes('Ada Okafor'), { timeout: 30_000, why: 'restored from the keyring' });
      const labels = await pollUntil(() => trayMenuLabels(appPid()), (l) => trayLine(l) !== undefined, {
        timeout: 40_000,
        message: (l) => `expected the restarted tray to list On-call Responders; ${JSON.stringify(l)}`,
      });
      assert.match(trayLine(labels), /— 1[0-5] min left$/);
      // The same pass saved the sent log before updating the tray: a reminder shown again
      // would have been recorded again, with a time after the restart.
      const log = JSON.parse(fs.readFileSync(path.join(requireEnv('XDG_DATA_HOME'), 'latchkey', 'reminders.json'), 'utf8'));
      const fifteen = Object.entries(log.sent).filter(([key]) => key.endsWith(':15'));
      assert.equal(fifteen.length, 1, JSON.stringify(log));
      assert.ok(new Date(fifteen[0][1]) < restartedAt, `recorded before the restart, not again: ${JSON.stringify(log)}`);
      const after = summaries();
      assert.equal(after.filter((s) => s === SUMMARY).length, 1, `exactly once across the restart: ${JSON.stringify(after)}`);
    });
  } finally {
    await sandbox.stop();
    removeAppConfig();
  }
});
