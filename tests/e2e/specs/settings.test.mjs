// Settings on the real window, and a screenshot of every main screen for the README
// (target/e2e-artifacts/screen-*.png; docs/screenshots holds the committed copies; the inbox
// with a waiting request comes from tray.test.mjs).
// Settings: an out-of-range value is refused in the form; a save writes a readable
// settings.json into the config dir and turns on start at login (an XDG autostart entry); a
// damaged settings.json never stops the app (defaults with a warning); the activation form then
// starts at the saved default duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  artifactsDir,
  byTestId,
  clearSecrets,
  pollUntil,
  removeAppConfig,
  requireEnv,
  scratchHome,
  screenshot,
  submitDeviceLogin,
  trayMenuLabels,
  waitForTestId,
  waitForText,
  withSession,
} from '../lib/harness.mjs';
import { ADA, clickInRow, setField } from '../lib/people.mjs';

const shot = (browser, name) => screenshot(browser, path.join(artifactsDir(), `screen-${name}.png`));

test('settings are saved to a readable file, validated, and used; every screen is photographed', { timeout: 240_000 }, async () => {
  scratchHome();
  removeAppConfig();
  clearSecrets({ service: 'latchkey' });
  const configDir = path.join(requireEnv('XDG_CONFIG_HOME'), 'latchkey');
  const settingsFile = path.join(configDir, 'settings.json');
  const autostartEntry = path.join(requireEnv('XDG_CONFIG_HOME'), 'autostart', 'latchkey.desktop');
  fs.mkdirSync(configDir, { recursive: true });
  // A damaged file: the app starts anyway, on the defaults.
  fs.writeFileSync(settingsFile, '{"leadMinutes": [15, 5], "approvalsPollSeconds": "often", "colour": 1');
  fs.rmSync(autostartEntry, { force: true });

  // What this spec leaves behind (saved settings, the favourite) would change the specs after
  // it, which share the scratch HOME: removed whatever happens.
  const favouritesFile = path.join(requireEnv('XDG_DATA_HOME'), 'latchkey', 'favourites.json');
  const cleanUp = () => [settingsFile, favouritesFile, autostartEntry].forEach((f) => fs.rmSync(f, { force: true }));
  try {
    await settingsSession(settingsFile, autostartEntry);
  } finally {
    cleanUp();
  }
});

async function settingsSession(settingsFile, autostartEntry) {
  await withSession({ name: 'settings' }, async ({ browser, appPid }) => {
    const signIn = await waitForTestId(browser, 'sign-in-button', { timeout: 30_000, why: 'signed out at start' });
    await shot(browser, 'sign-in');
    await signIn.click();
    const userCode = await waitForText(browser, 'user-code', (t) => t.length >= 6, { why: 'the device code' });
    await shot(browser, 'device-code');
    const uri = await waitForText(browser, 'verification-uri', (t) => t.startsWith('http://127.0.0.1:'), { why: 'the sign-in page' });
    const page = await submitDeviceLogin(uri, { userCode, loginHint: ADA.upn, decision: 'approve' });
    assert.equal(page.status, 200, page.body.slice(0, 300));
    await waitForText(browser, 'account-name', (t) => t.includes('Ada Okafor'), { timeout: 25_000, why: 'Ada signed in' });
    await pollUntil(
      () => browser.execute(() => document.querySelectorAll('[data-testid="eligible-row"]').length),
      (n) => n >= 5,
      { timeout: 20_000, message: (n) => `expected Ada's eligible list; ${n} rows` },
    );
    // --- a favourite: pinned on top, and offered in the tray for one-click activation ---------
    await clickInRow(browser, 'On-call Responders', 'favourite-toggle');
    await pollUntil(
      () => browser.execute(() => document.querySelector('[data-testid="eligible-row"] [data-testid="eligible-name"]')?.textContent.trim()),
      (first) => first === 'On-call Responders',
      { timeout: 10_000, message: (first) => `expected the favourite pinned on top; first is ${first}` },
    );
    await pollUntil(() => trayMenuLabels(appPid()), (labels) => labels.includes('Activate On-call Responders'), {
      timeout: 20_000,
      message: (labels) => `expected the tray to offer the favourite; it has ${JSON.stringify(labels)}`,
    });
    await browser.execute(() => window.scrollTo(0, 0));
    await shot(browser, 'eligible');

    // --- Settings: the damaged file became the defaults ---------------------------------------
    await (await waitForTestId(browser, 'view-settings')).click();
    const leads = await waitForTestId(browser, 'settings-leads', { why: 'the Settings view' });
    assert.equal(await leads.getValue(), '15, 5');
    assert.equal(await (await browser.$(byTestId('settings-poll'))).getValue(), '60', 'an invalid field fell back to its default');

    // Refused in the form: nothing is written.
    await setField(browser, 'settings-poll', '5');
    await (await waitForTestId(browser, 'settings-save')).click();
    await waitForText(browser, 'settings-problem', (t) => t.includes('15 seconds'), { why: '5 s is too often' });
    assert.match(fs.readFileSync(settingsFile, 'utf8'), /"often"/, 'the refused save left the file alone');

    await setField(browser, 'settings-poll', '120');
    await setField(browser, 'settings-leads', '10, 30');
    await setField(browser, 'settings-duration', '90');
    await (await waitForTestId(browser, 'settings-start-at-login')).click();
    await (await waitForTestId(browser, 'settings-save')).click();
    await pollUntil(
      () => browser.$(byTestId('settings-saved')).getAttribute('aria-hidden'),
      (hidden) => hidden === 'false',
      { timeout: 10_000, message: () => 'expected "Saved."' },
    );
    assert.equal(await (await browser.$(byTestId('settings-leads'))).getValue(), '30, 10', 'what Rust stored, sorted');
    const text = fs.readFileSync(settingsFile, 'utf8');
    assert.deepEqual(JSON.parse(text), { leadMinutes: [30, 10], defaultDurationMinutes: 90, startAtLogin: true, approvalsPollSeconds: 120 });
    assert.match(text, /\n {2}"leadMinutes": \[/, 'pretty-printed for people');
    assert.match(fs.readFileSync(autostartEntry, 'utf8'), /^Exec=".+latchkey" --hidden$/m, 'start at login writes the autostart entry');
    await browser.execute(() => window.scrollTo(0, 0));
    await shot(browser, 'settings');

    // --- the activation form starts at the saved default duration ------------------------------
    await (await waitForTestId(browser, 'view-access')).click();
    await clickInRow(browser, 'On-call Responders', 'activate-button');
    await waitForTestId(browser, 'activation-form', { why: 'the activation form opens' });
    assert.equal(await (await browser.$(byTestId('duration-minutes'))).getValue(), '90');
    await setField(browser, 'justification', 'Checking the pager rota');
    await shot(browser, 'activation-form');
    await (await waitForTestId(browser, 'submit-activation')).click();
    await pollUntil(
      () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
      (s) => s && s !== 'sending',
      { timeout: 15_000, message: (s) => `expected an outcome; status ${s}` },
    );
    await shot(browser, 'activation-outcome');
    await (await waitForTestId(browser, 'close-outcomes')).click();
    await waitForTestId(browser, 'active-row', { timeout: 15_000, why: 'On-call Responders under Active now' });
    await browser.execute(() => window.scrollTo(0, 0));
    await shot(browser, 'active');

    await (await waitForTestId(browser, 'view-approvals')).click();
    // Ada approves nothing in the demo tenant: her inbox is the designed empty state. The inbox
    // with a request waiting is photographed by tray.test.mjs (Chloé's, screen-approvals.png).
    await waitForTestId(browser, 'approvals-empty', { timeout: 20_000, why: "Ada's empty inbox" });
    await shot(browser, 'approvals-empty');

    // Turning start at login off removes the entry.
    await (await waitForTestId(browser, 'view-settings')).click();
    await (await waitForTestId(browser, 'settings-start-at-login', { why: 'Settings again' })).click();
    await (await waitForTestId(browser, 'settings-save')).click();
    await pollUntil(() => fs.existsSync(autostartEntry), (exists) => !exists, {
      timeout: 10_000,
      message: () => 'the autostart entry should be gone',
    });
  });
}
