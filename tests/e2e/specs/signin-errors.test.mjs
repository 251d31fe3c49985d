// Bad input on the sign-in path, against a standalone sandbox this spec starts itself:
// the device code expires; the sandbox goes away in the middle of the sign-in.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  byTestId,
  clearSecrets,
  removeAppConfig,
  sandboxConfig,
  scratchHome,
  startSandbox,
  testIdText,
  waitForTestId,
  waitForText,
  withSession,
} from '../lib/harness.mjs';

// Leave the embedded sandbox as the default for the specs that come after this one.
after(() => {
  if (process.env.E2E_SCRATCH_HOME) removeAppConfig();
});

/** Start a sandbox, point the app at it (config.json), run `fn` on a fresh session; clean up. */
async function withStandaloneSandbox(name, sandboxArgs, fn) {
  scratchHome();
  clearSecrets({ service: 'latchkey' }); // no stored account: the app starts signed out
  const sandbox = await startSandbox({ name, args: sandboxArgs });
  try {
    await withSession({ name, config: sandboxConfig(sandbox.url) }, async (session) => {
      const { browser } = session;
      await waitForTestId(browser, 'tenant-badge', { timeout: 30_000, why: 'the main window should show which tenant it talks to' });
      await waitForText(browser, 'tenant-badge', (t) => t.includes('E2E sandbox'), {
        why: 'to show the label from config.json ("E2E sandbox"): the app should use the configured tenant',
      });
      await fn({ ...session, sandbox });
    });
  } finally {
    await sandbox.stop();
    removeAppConfig();
  }
}

/** Click sign in and wait for the prompt; checks the URI points at `sandbox`. */
async function startSignIn(browser, sandbox) {
  const button = await waitForTestId(browser, 'sign-in-button', { why: 'signed out at start' });
  await button.click();
  await waitForTestId(browser, 'user-code', { why: 'the device-code prompt after clicking sign in' });
  await waitForText(browser, 'verification-uri', (t) => t.startsWith(`${sandbox.url}/devicelogin`), {
    why: `to point at the standalone sandbox (${sandbox.url}/devicelogin)`,
  });
}

async function expectSignInError(browser, code, timeout) {
  const error = await waitForTestId(browser, 'sign-in-error', { timeout, why: `the sign-in should fail with ${code}` });
  const actual = await error.getAttribute('data-code');
  assert.equal(
    actual,
    code,
    `${byTestId('sign-in-error')} data-code; message shown: ${JSON.stringify(await testIdText(browser, 'sign-in-error'))}`,
  );
  const message = await testIdText(browser, 'sign-in-error');
  assert.ok(message && message.length > 0, 'the sign-in error should tell the user something');
  await waitForTestId(browser, 'sign-in-button', { why: 'the user can start again after the error' });
}

test('the device code expires when nobody enters it', { timeout: 120_000 }, async () => {
  await withStandaloneSandbox('code-expired', ['--device-code-lifetime', '8'], async ({ browser, sandbox }) => {
    await startSignIn(browser, sandbox);
    // Lifetime 8 s, polled every 5 s: the app hears "expired_token" at about 10 s.
    await expectSignInError(browser, 'signInCodeExpired', 25_000);
  });
});

test('the tenant goes away in the middle of the sign-in', { timeout: 120_000 }, async () => {
  await withStandaloneSandbox('sandbox-stopped', ['--device-code-lifetime', '300'], async ({ browser, sandbox, appPid }) => {
    await startSignIn(browser, sandbox);
    await sandbox.kill();
    // The app may retry a refused connection for a while before it gives up (~15 s seen).
    await expectSignInError(browser, 'network', 30_000);

    // No crash: the app process is alive and the window still answers.
    const pid = appPid();
    assert.ok(pid, 'the launcher should have recorded the app pid');
    assert.doesNotThrow(() => process.kill(pid, 0), `the app (pid ${pid}) should still be running`);
    assert.equal(await browser.execute(() => document.readyState), 'complete', 'the window should still answer');
    assert.equal(await browser.$(byTestId('tenant-badge')).isDisplayed(), true, 'the window should still show the app');
  });
});
