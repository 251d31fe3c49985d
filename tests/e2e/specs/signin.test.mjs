// Walking skeleton: sign in to the embedded sandbox tenant with the device code, see Ada's
// eligible groups and directory roles, and find the refresh token in the Secret Service and nowhere else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  artifactsDir,
  byTestId,
  clearSecrets,
  filesContaining,
  isTestIdShown,
  appPath,
  logDir,
  requireEnv,
  parseCountdown,
  pollUntil,
  removeAppConfig,
  scratchHome,
  screenshot,
  secretItems,
  secretLookup,
  submitDeviceLogin,
  testIdText,
  waitForTestId,
  waitForText,
  withSession,
} from '../lib/harness.mjs';

const ADA = 'ada@fabrikam.example';
const EXPECTED_GROUPS = [
  'Kubernetes Cluster Admins',
  'On-call Responders',
  'Payments Console Admins',
  'Platform Engineers',
  'Prod DB Admins',
];
// Ada's directory roles in the sandbox, in name order, with where each applies.
const EXPECTED_ROLES = [
  ['Application Administrator', 'Directory'],
  ['Exchange Administrator', 'Directory'],
  ['Global Reader', 'Directory'],
  ['Helpdesk Administrator', 'Directory'],
  ['Security Reader', 'Directory'],
  ['User Administrator', 'Berlin office'],
];
// Polling every 5 s (the device-code interval) plus a Graph call on a debug build.
const SIGN_IN_TIMEOUT = 25_000;

/** The X clipboard's text ('' while nothing owns the selection). */
function readClipboard() {
  const out = spawnSync('xclip', ['-selection', 'clipboard', '-o'], { encoding: 'utf8', timeout: 5_000 });
  return out.status === 0 ? out.stdout.trim() : '';
}

/** Rows of the eligible list for one plane ("group" or "directoryRole"), read in one go from the DOM. */
async function eligibleRows(browser, plane) {
  return browser.execute((p) => {
    const text = (root, id) => {
      const el = root.querySelector(`[data-testid="${id}"]`);
      return el ? el.textContent.replace(/\s+/g, ' ').trim() : null;
    };
    return [...document.querySelectorAll(`[data-testid="eligible-row"][data-plane="${p}"]`)].map((row) => ({
      name: text(row, 'eligible-name'),
      access: text(row, 'eligible-access'),
      end: text(row, 'eligible-end'),
    }));
  }, plane);
}

const groupRows = (browser) => eligibleRows(browser, 'group');

test('sign in to the embedded sandbox with the device code and list eligible groups', { timeout: 180_000 }, async () => {
  scratchHome();
  removeAppConfig(); // the embedded sandbox is the default
  clearSecrets({ service: 'latchkey' }); // start signed out, whatever ran before

  await withSession({ name: 'signin' }, async ({ browser }) => {
    // --- the app opens on the embedded sandbox ---------------------------------------------
    await waitForTestId(browser, 'tenant-badge', { timeout: 30_000, why: 'the main window should show which tenant it talks to' });
    await waitForText(browser, 'tenant-badge', (t) => t.includes('Sandbox tenant'), {
      why: 'to say "Sandbox tenant" (the embedded sandbox is the default)',
    });

    // --- start the device-code sign-in -----------------------------------------------------
    const signIn = await waitForTestId(browser, 'sign-in-button', { why: 'signed out at start' });
    await signIn.click();

    const userCode = await waitForText(browser, 'user-code', (t) => /^[A-Z0-9][A-Z0-9 -]{4,}[A-Z0-9]$/.test(t), {
      why: 'to show the user code after clicking sign in',
    });
    const verificationUri = await waitForText(
      browser,
      'verification-uri',
      (t) => /^http:\/\/127\.0\.0\.1:\d+\/devicelogin\b/.test(t),
      { why: 'to show the sandbox\'s http://127.0.0.1:PORT/devicelogin URL' },
    );

    // The time left counts down.
    const firstLeft = await waitForText(browser, 'code-time-left', (t) => !Number.isNaN(parseCountdown(t)), {
      why: 'to show how long the code is valid',
    });
    const laterLeft = await pollUntil(
      () => testIdText(browser, 'code-time-left'),
      (t) => t !== null && parseCountdown(t) < parseCountdown(firstLeft),
      {
        timeout: 6_000,
        interval: 250,
        message: (t) => `expected ${byTestId('code-time-left')} to count down from ${JSON.stringify(firstLeft)}; after 6 s it shows ${JSON.stringify(t)}`,
      },
    );
    assert.ok(parseCountdown(laterLeft) > 0, `time left should still be positive, got ${JSON.stringify(laterLeft)}`);

    // --- Copy puts the code on the clipboard; Open browser opens the page without an error -------
    await (await waitForTestId(browser, 'copy-code', { why: 'a Copy code button next to the code' })).click();
    const clipboard = await pollUntil(
      () => readClipboard(),
      (text) => text === userCode,
      { timeout: 5_000, message: (text) => `expected the clipboard to hold ${userCode}, it holds ${JSON.stringify(text)}` },
    );
    assert.equal(clipboard, userCode);
    // The rig's fake browser records the URL it is asked to open.
    await (await waitForTestId(browser, 'open-browser', { why: 'an Open browser button' })).click();
    const opened = await pollUntil(
      () => fs.readFileSync(requireEnv('E2E_OPENED_URLS'), 'utf8').trim().split('\n').filter(Boolean),
      (urls) => urls.length > 0,
      { timeout: 5_000, message: () => 'expected "Open browser" to hand the sign-in page to the system browser' },
    );
    assert.deepEqual(opened, [verificationUri], 'the system browser gets exactly the sign-in page');
    assert.equal(await isTestIdShown(browser, 'device-code-error'), false, 'opening the browser should not show an error');

    // --- a careless user types a wrong code first ---------------------------------------------
    const wrong = await submitDeviceLogin(verificationUri, { userCode: 'ZZZZZZZZZ', loginHint: ADA, decision: 'approve' });
    assert.equal(wrong.status, 400, `a wrong code should get HTTP 400 from ${verificationUri}, got ${wrong.status}`);
    assert.match(wrong.body, /data-outcome="error"/, 'the page for a wrong code should say data-outcome="error"');
    await sleep(1_000);
    assert.equal(await isTestIdShown(browser, 'sign-in-error'), false, 'a wrong code typed in the browser must not fail the sign-in in the app');
    assert.equal(await testIdText(browser, 'user-code'), userCode, 'the app should still show the same user code, waiting');

    // --- the right code -----------------------------------------------------------------------
    const right = await submitDeviceLogin(verificationUri, { userCode, loginHint: ADA, decision: 'approve' });
    assert.equal(right.status, 200, `approving the right code should get HTTP 200, got ${right.status}: ${right.body.slice(0, 300)}`);
    assert.match(right.body, /data-outcome="approved"/, 'the page for the right code should say data-outcome="approved"');

    await waitForText(browser, 'account-name', (t) => t.includes('Ada Okafor') || t.includes(ADA), {
      timeout: SIGN_IN_TIMEOUT,
      why: 'to show Ada as signed in (the app polls every 5 s)',
    });

    // --- Ada's eligible groups ---------------------------------------------------------------
    const rows = await pollUntil(
      () => groupRows(browser),
      (r) => r.length === EXPECTED_GROUPS.length && r.every((g) => g.name),
      {
        timeout: 20_000,
        message: (r) => `expected ${EXPECTED_GROUPS.length} group ${byTestId('eligible-row')} rows with names; saw ${JSON.stringify(r)}`,
      },
    );
    assert.deepEqual(
      rows.map((g) => g.name),
      EXPECTED_GROUPS,
      'group names, in name order',
    );
    for (const g of rows) {
      if (g.name === 'Platform Engineers') {
        assert.match(g.access ?? '', /\bOwner\b/i, `Platform Engineers: access should say Owner, got ${JSON.stringify(g.access)}`);
        assert.match(g.end ?? '', /\bPermanent\b/i, `Platform Engineers: end should say Permanent, got ${JSON.stringify(g.end)}`);
      } else {
        assert.match(g.access ?? '', /\bMember\b/i, `${g.name}: access should say Member, got ${JSON.stringify(g.access)}`);
        assert.doesNotMatch(g.access ?? '', /\bOwner\b/i, `${g.name}: access should not say Owner`);
      }
    }

    // --- Ada's directory roles, in the same list -----------------------------------------------
    const roles = await pollUntil(
      () => eligibleRows(browser, 'directoryRole'),
      (r) => r.length === EXPECTED_ROLES.length && r.every((g) => g.name),
      {
        timeout: 20_000,
        message: (r) => `expected ${EXPECTED_ROLES.length} directory role ${byTestId('eligible-row')} rows; saw ${JSON.stringify(r)}`,
      },
    );
    assert.deepEqual(
      roles.map((r) => [r.name, r.access]),
      EXPECTED_ROLES,
      'role names in name order, each with its scope (the directory or the administrative unit)',
    );

    // The Roles chip narrows the list to roles; searching for the unit's name finds User Administrator.
    await (await browser.$('[data-testid="plane-filter"][data-plane="directoryRole"]')).click();
    await pollUntil(() => groupRows(browser), (r) => r.length === 0, {
      timeout: 5_000,
      message: (r) => `the Roles chip should hide the groups; saw ${JSON.stringify(r)}`,
    });
    await (await waitForTestId(browser, 'eligible-search', { why: 'a search field above the list' })).setValue('berlin');
    await pollUntil(() => eligibleRows(browser, 'directoryRole'), (r) => r.length === 1 && r[0].name === 'User Administrator', {
      timeout: 5_000,
      message: (r) => `searching "berlin" should find only User Administrator; saw ${JSON.stringify(r)}`,
    });
    // Escape in the search field clears it.
    await (await waitForTestId(browser, 'eligible-search')).click();
    await browser.keys(['Escape']);
    await pollUntil(() => eligibleRows(browser, 'directoryRole'), (r) => r.length === EXPECTED_ROLES.length, {
      timeout: 5_000,
      message: (r) => `Escape should clear the search and show every role again; saw ${JSON.stringify(r)}`,
    });
    await (await browser.$('[data-testid="plane-filter"][data-plane="all"]')).click();
    await pollUntil(() => groupRows(browser), (r) => r.length === EXPECTED_GROUPS.length, {
      timeout: 5_000,
      message: (r) => `the All chip should show the groups again; saw ${JSON.stringify(r)}`,
    });

    // Waits ~500 ms for a repaint first: a stale frame has been seen in screenshots.
    const shot = await screenshot(browser, path.join(artifactsDir(), 'groups.png'));
    console.log(`[e2e] screenshot: ${shot}`);
  });

  // --- the refresh token is in the Secret Service, and only there ---------------------------
  const items = secretItems({ service: 'latchkey' });
  assert.equal(
    items.length,
    1,
    `expected exactly one Secret Service item with service=latchkey, found ${items.length}: ` +
      JSON.stringify(items.map((i) => ({ label: i.label, attributes: i.attributes }))),
  );
  const [item] = items;
  assert.ok(item.attributes.username, `the item should carry a username attribute: ${JSON.stringify(item.attributes)}`);
  assert.equal(item.attributes.target, 'default', `keyring v3 items carry target=default: ${JSON.stringify(item.attributes)}`);
  const secret = secretLookup({ service: 'latchkey', username: item.attributes.username, target: 'default' });
  assert.ok(secret && secret.length > 0, 'the stored refresh token should not be empty');
  assert.ok(secret.length >= 8, `the stored secret is implausibly short for a refresh token (${secret.length} bytes)`);

  const hits = filesContaining([scratchHome(), logDir()], secret);
  assert.deepEqual(
    hits,
    [],
    'the refresh token must not appear in any file under the scratch HOME (the keyring file is encrypted) or in the logs',
  );

  // --- the sign-in notification reached the notification daemon ----------------------------
  // dunst lists a notification in its history once it is closed.
  execFileSync('dunstctl', ['close-all']);
  const history = JSON.parse(execFileSync('dunstctl', ['history'], { encoding: 'utf8' }));
  const summaries = history.data.flat().map((n) => n.summary?.data ?? '');
  assert.ok(
    summaries.some((s) => s.includes('Signed in as Ada Okafor')),
    `expected a "Signed in as Ada Okafor" notification; dunst saw ${JSON.stringify(summaries)}`,
  );
});

test('a restart resumes the session from the keyring, and a second launch hands over to the first', { timeout: 180_000 }, async () => {
  // Runs after the sign-in test: the refresh token it stored is in the Secret Service.
  assert.equal(secretItems({ service: 'latchkey' }).length, 1, 'the previous test should have left one stored session');

  await withSession({ name: 'restart' }, async ({ browser, appPid }) => {
    await waitForText(browser, 'account-name', (t) => t.includes('Ada Okafor'), {
      timeout: 30_000,
      why: 'to resume as Ada without a new sign-in (refresh token from the keyring)',
    });
    assert.equal(await isTestIdShown(browser, 'sign-in-button'), false, 'no sign-in prompt after a restart');
    const rows = await pollUntil(
      () => groupRows(browser),
      (r) => r.length === EXPECTED_GROUPS.length,
      { timeout: 20_000, message: (r) => `expected Ada's ${EXPECTED_GROUPS.length} groups after the restart; saw ${JSON.stringify(r)}` },
    );
    assert.deepEqual(rows.map((g) => g.name), EXPECTED_GROUPS);

    // A second launch must not start a second Latchkey: it hands over and exits.
    const second = spawnSync(appPath(), [], { env: process.env, timeout: 20_000, encoding: 'utf8' });
    assert.equal(second.error, undefined, `the second launch should exit by itself: ${second.error}`);
    assert.equal(second.status, 0, `the second launch should exit 0; stderr: ${second.stderr?.slice(-2000)}`);
    const pid = appPid();
    assert.doesNotThrow(() => process.kill(pid, 0), `the first instance (pid ${pid}) should still run`);
    assert.equal(await isTestIdShown(browser, 'account-name'), true, 'the first window should still show the app');
  });
});
