// The web view is locked down: navigation away from the app is refused (the window stays on the
// app and the refusal is logged), commands outside the capability are rejected, the CSP forbids
// eval and inline scripts in the page, and the build allows no devtools in release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearSecrets, removeAppConfig, requireEnv, scratchHome, waitForTestId, withSession } from '../lib/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (rel) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

test('the configuration: a strict CSP, only the app’s own commands, no devtools feature', () => {
  const conf = JSON.parse(read('src-tauri/tauri.conf.json'));
  const csp = conf.app.security.csp;
  assert.equal(typeof csp, 'object', 'a CSP is set');
  for (const directive of ['default-src', 'script-src']) {
    assert.equal(csp[directive], "'self'", `${directive} is 'self' only (no unsafe-eval, no unsafe-inline, no remote origin)`);
  }
  for (const [directive, value] of Object.entries(csp)) {
    assert.doesNotMatch(value, /unsafe-(eval|inline)|https?:\/\/(?!ipc\.localhost)|\*/, `${directive}: ${value}`);
  }
  assert.equal(csp['object-src'], "'none'");
  assert.equal(conf.app.security.dangerousDisableAssetCspModification, undefined, 'Tauri adds its hashes and nonces');
  assert.equal(conf.app.withGlobalTauri, false, 'no window.__TAURI__ global');
  assert.deepEqual(conf.app.windows, [], 'the window is built in Rust (window.rs), with its navigation guard');
  assert.equal(conf.build.devUrl.startsWith('http://127.0.0.1:'), true);

  const capability = JSON.parse(read('src-tauri/capabilities/main.json'));
  const commands = [...read('src-tauri/build.rs').matchAll(/^\s+"([a-z_]+)",$/gm)].map((m) => m[1]);
  assert.ok(commands.length >= 10, `build.rs lists the app's commands (${commands.length})`);
  const allowed = commands.map((c) => `allow-${c.replace(/_/g, '-')}`);
  assert.deepEqual(
    [...capability.permissions].sort(),
    ['core:event:allow-listen', 'core:event:allow-unlisten', ...allowed].sort(),
    'the capability allows the app’s own commands and event listening, nothing else (no opener, clipboard, shell, fs)',
  );
  assert.deepEqual(capability.windows, ['main']);
  assert.equal(capability.remote, undefined, 'no remote URL gets the capability');

  // Devtools: Tauri enables them in debug builds or with its `devtools` feature only.
  const workspace = read('Cargo.toml');
  const tauriLine = workspace.split('\n').find((l) => /^tauri\s*=/.test(l));
  assert.ok(tauriLine, 'the workspace pins tauri');
  assert.doesNotMatch(tauriLine, /devtools/, 'the tauri dependency has no devtools feature');
  assert.doesNotMatch(read('src-tauri/Cargo.toml'), /devtools/, 'the app crate enables no devtools feature');
  assert.match(read('src-tauri/src/window.rs'), /\.devtools\(cfg!\(debug_assertions\)\)/, 'the window asks for devtools in debug builds only');
});

test('navigation away from the app, foreign commands and eval are refused', { timeout: 180_000 }, async () => {
  scratchHome();
  removeAppConfig();
  clearSecrets({ service: 'latchkey' });
  await withSession({ name: 'lockdown' }, async ({ browser, logFile, appPid }) => {
    await waitForTestId(browser, 'tenant-badge', { timeout: 30_000, why: 'the window is up' });
    const appUrl = await browser.getUrl();
    assert.match(appUrl, /^(tauri:\/\/localhost|https?:\/\/tauri\.localhost)(\/|$)/, `the app's own URL: ${appUrl}`);
    const handles = await browser.getWindowHandles();

    // --- navigation: by script, by a link, by window.open --------------------------------------
    await browser.execute(() => {
      window.__lockdownMarker = 'still here';
      window.location.href = 'https://example.com/';
    });
    await sleep(1_500);
    await browser.execute(() => {
      const a = document.createElement('a');
      a.href = 'https://example.net/outside';
      a.textContent = 'outside';
      a.setAttribute('data-testid', 'lockdown-link');
      document.body.appendChild(a);
      a.click();
    });
    await sleep(1_500);
    const opened = await browser.execute(() => {
      const w = window.open('https://example.org/', '_blank');
      return w === null || w === undefined ? 'null' : 'a window';
    });
    await sleep(1_500);
    assert.equal(await browser.getUrl(), appUrl, 'the window is still on the app');
    assert.equal(await browser.execute(() => window.__lockdownMarker ?? null), 'still here', 'the page was not replaced');
    assert.equal(await browser.$('[data-testid="tenant-badge"]').isDisplayed(), true, 'the app still shows');
    assert.deepEqual(await browser.getWindowHandles(), handles, `no new window (window.open gave ${opened})`);
    const log = fs.readFileSync(logFile, 'utf8');
    assert.match(log, /blocked navigation away from the app.*https:\/\/example\.com\//, 'the script navigation was refused by the guard');
    assert.match(log, /blocked navigation away from the app.*example\.net\/outside/, 'the link was refused by the guard');
    const openedUrls = fs.readFileSync(requireEnv('E2E_OPENED_URLS'), 'utf8');
    assert.doesNotMatch(openedUrls, /example\.(com|org|net)/, 'nothing was handed to the system browser either');

    // --- commands outside the capability ---------------------------------------------------------
    const results = await browser.execute(async () => {
      const call = async (cmd, args) => {
        try {
          await window.__TAURI_INTERNALS__.invoke(cmd, args);
          return { cmd, ok: true };
        } catch (e) {
          return { cmd, ok: false, error: String(e?.message ?? e) };
        }
      };
      return [
        await call('app_snapshot', {}),
        await call('plugin:opener|open_url', { url: 'https://example.com/' }),
        await call('plugin:opener|open_path', { path: '/etc/passwd' }),
        await call('plugin:clipboard-manager|read_text', {}),
        await call('plugin:clipboard-manager|write_text', { text: 'pwned' }),
        await call('plugin:event|emit', { event: 'session-changed', payload: { state: 'signedOut' } }),
        await call('plugin:window|close', { label: 'main' }),
        await call('no_such_command', {}),
      ];
    });
    const [snapshot, ...foreign] = results;
    assert.equal(snapshot.ok, true, `the app's own command works: ${JSON.stringify(snapshot)}`);
    for (const r of foreign) assert.equal(r.ok, false, `${r.cmd} must be refused: ${JSON.stringify(r)}`);
    console.log(`[e2e] refused commands: ${foreign.map((r) => `${r.cmd} (${r.error})`).join('; ')}`);
    await sleep(500);
    assert.doesNotMatch(fs.readFileSync(requireEnv('E2E_OPENED_URLS'), 'utf8'), /example\.com/, 'open_url did not run');
    assert.doesNotThrow(() => process.kill(appPid(), 0), 'the app still runs');

    // --- CSP in the page: no eval, no inline script --------------------------------------------
    const csp = await browser.execute(() => {
      const out = {};
      try {
        out.eval = String(eval('1 + 1'));
      } catch (e) {
        out.eval = `refused: ${e.name}`;
      }
      try {
        out.fn = String(new Function('return 2')());
      } catch (e) {
        out.fn = `refused: ${e.name}`;
      }
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true;';
      document.head.appendChild(s);
      out.inline = window.__inlineRan === true ? 'ran' : 'refused';
      return out;
    });
    assert.deepEqual(csp, { eval: 'refused: EvalError', fn: 'refused: EvalError', inline: 'refused' }, JSON.stringify(csp));
  });
});
