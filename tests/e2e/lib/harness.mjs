// Shared helpers for the WebDriver specs. Run the specs through scripts/e2e.sh: it starts the
// headless rig (Xvfb, session bus, unlocked gnome-keyring, dunst, tauri-driver) and exports:
//
//   LATCHKEY_APP          the app binary under test (target/debug/latchkey)
//   LATCHKEY_SANDBOX_BIN  the standalone sandbox binary (target/debug/latchkey-sandbox)
//   WEBDRIVER_PORT        tauri-driver's port on 127.0.0.1
//   E2E_SCRATCH_HOME      the scratch HOME (HOME and XDG_* point inside it)
//   E2E_LOG_DIR           target/e2e-run/logs (app-*.log and sandbox-*.log are written here)
//   E2E_ARTIFACTS         target/e2e-artifacts (screenshots, failure dumps)
//
// The app is started by WebKitWebDriver, which tauri-driver started: it inherits the rig's
// environment. Per-scenario configuration therefore goes through files in the scratch
// XDG_CONFIG_HOME (writeAppConfig) or through the small launcher script startSession() writes
// for each session (extra env, stdout/stderr into E2E_LOG_DIR/app-<name>.log, a pid file).

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

const RIG_HINT = 'Run the specs through scripts/e2e.sh (after a build), which sets up the headless rig.';

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set. ${RIG_HINT}`);
  }
  return value;
}

function requireExecutable(envName, buildHint) {
  const file = requireEnv(envName);
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`${envName}=${file} does not exist or is not executable: ${buildHint}. ${RIG_HINT}`);
  }
  return file;
}

export const appPath = () =>
  requireExecutable('LATCHKEY_APP', "build it first with 'npm --prefix ui run build && cargo build -p latchkey'");
export const sandboxBinPath = () =>
  requireExecutable('LATCHKEY_SANDBOX_BIN', "build it first with 'cargo build -p latchkey-sandbox'");
export const artifactsDir = () => mkdirp(requireEnv('E2E_ARTIFACTS'));
export const logDir = () => mkdirp(requireEnv('E2E_LOG_DIR'));

/** The scratch HOME; refuses to run against a real HOME, since specs write config files there. */
export function scratchHome() {
  const home = requireEnv('E2E_SCRATCH_HOME');
  if (path.resolve(process.env.HOME ?? '') !== path.resolve(home)) {
    throw new Error(`HOME (${process.env.HOME}) is not the scratch home ${home}. ${RIG_HINT}`);
  }
  return home;
}

function mkdirp(dir) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const safeName = (name) => name.replace(/[^A-Za-z0-9_.-]+/g, '-');
const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

// ---------------------------------------------------------------------------------------------
// App configuration (read by the app from $XDG_CONFIG_HOME/latchkey/config.json)
// ---------------------------------------------------------------------------------------------

export function appConfigPath() {
  scratchHome();
  return path.join(requireEnv('XDG_CONFIG_HOME'), 'latchkey', 'config.json');
}

export function writeAppConfig(config) {
  const file = appConfigPath();
  mkdirp(path.dirname(file));
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

export function removeAppConfig() {
  fs.rmSync(appConfigPath(), { force: true });
}

/** config.json pointing every endpoint at a standalone sandbox on `baseUrl`. */
export function sandboxConfig(baseUrl, label = 'E2E sandbox') {
  return {
    label,
    tenant: 'fabrikam.example',
    clientId: '3c283852-3d99-4261-9837-92c6a96d53fd',
    authority: baseUrl,
    graph: baseUrl,
    arm: baseUrl,
  };
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie is dead; it only waits for its parent.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitPidGone(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Start a WebDriver session on a fresh app process.
 *   name    used for the app's log file (E2E_LOG_DIR/app-<name>.log) and artifacts
 *   env     extra environment for this app process only (NO_COLOR=1 unless given)
 *   config  if given, written to $XDG_CONFIG_HOME/latchkey/config.json first (else left as is)
 *   args    extra command-line arguments for the app
 * Returns { browser, name, appPid(), logFile }.
 */
export async function startSession({ name, env = {}, config, args = [] } = {}) {
  if (!name) throw new Error('startSession needs a name');
  const app = appPath();
  const port = Number(requireEnv('WEBDRIVER_PORT'));
  scratchHome();
  if (config) writeAppConfig(config);

  const runDir = mkdirp(path.join(requireEnv('E2E_RUN_DIR'), 'sessions'));
  const base = safeName(name);
  const logFile = path.join(logDir(), `app-${base}.log`);
  const pidFile = path.join(runDir, `${base}.pid`);
  const launcher = path.join(runDir, `${base}.sh`);
  fs.rmSync(pidFile, { force: true });
  // WebKitWebDriver runs `<application> --automation ...`; exec keeps the pid, so the pid file
  // names the app process itself.
  const exports = Object.entries({ NO_COLOR: '1', ...env })
    .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
    .join('');
  fs.writeFileSync(
    launcher,
    `#!/bin/sh\n${exports}echo $$ > ${shellQuote(pidFile)}\n` +
      `exec ${shellQuote(app)} "$@" >> ${shellQuote(logFile)} 2>&1\n`,
    { mode: 0o755 },
  );

  let browser;
  try {
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'warn',
      connectionRetryCount: 0, // a retried newSession would start a second app
      connectionRetryTimeout: 120_000,
      capabilities: {
        'tauri:options': { application: launcher, args },
        'wdio:enforceWebDriverClassic': true,
      },
    });
  } catch (err) {
    throw new Error(
      `could not start a WebDriver session with the app (tauri-driver on 127.0.0.1:${port}, ` +
        `app ${app}, log ${logFile}): ${err.message}`,
    );
  }
  const appPid = () => {
    try {
      return Number(fs.readFileSync(pidFile, 'utf8').trim()) || null;
    } catch {
      return null;
    }
  };
  return { browser, name: base, appPid, logFile };
}

/** Delete the session and make sure the app process is gone before the next one starts. */
export async function endSession(session) {
  if (!session) return;
  try {
    await session.browser.deleteSession();
  } catch (err) {
    console.error(`[e2e] deleteSession failed for ${session.name}: ${err.message}`);
  }
  const pid = session.appPid();
  if (pid && !(await waitPidGone(pid, 10_000))) {
    console.error(`[e2e] app pid ${pid} (${session.name}) still running 10 s after deleteSession: killing it`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await waitPidGone(pid, 5_000);
  }
}

/** Rejects with `message` if `promise` has not settled within `ms`. */
export async function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Screenshot of the window into `file` after `settleMs` (a repaint: a stale frame has been seen).
 * Bounded: WebKit's screenshot waits for a paint, which never comes with some renderer settings.
 */
export async function screenshot(browser, file, { settleMs = 500, timeout = 20_000 } = {}) {
  await sleep(settleMs);
  await withTimeout(
    browser.saveScreenshot(file),
    timeout,
    `the WebDriver screenshot to ${file} did not complete within ${timeout} ms`,
  );
  return file;
}

/** Save a screenshot and the page source of the current window into E2E_ARTIFACTS. */
export async function saveFailureArtifacts(browser, name) {
  const dir = artifactsDir();
  const base = path.join(dir, `${safeName(name)}.failure`);
  try {
    await screenshot(browser, `${base}.png`, { settleMs: 0, timeout: 10_000 });
  } catch (err) {
    console.error(`[e2e] could not save a failure screenshot: ${err.message}`);
  }
  try {
    fs.writeFileSync(
      `${base}.html`,
      await withTimeout(browser.getPageSource(), 10_000, 'getPageSource did not answer within 10 s'),
    );
  } catch (err) {
    console.error(`[e2e] could not save the page source: ${err.message}`);
  }
  console.error(`[e2e] failure artifacts: ${base}.png, ${base}.html`);
}

/**
 * Run `fn(session)` on a fresh session; on failure save a screenshot and the page source;
 * always delete the session.
 */
export async function withSession(options, fn) {
  const session = await startSession(options);
  try {
    return await fn(session);
  } catch (err) {
    await saveFailureArtifacts(session.browser, session.name);
    throw err;
  } finally {
    await endSession(session);
  }
}

// ---------------------------------------------------------------------------------------------
// Finding things in the window
// ---------------------------------------------------------------------------------------------

export const byTestId = (id) => `[data-testid="${id}"]`;

/** Wait until [data-testid=id] is displayed; returns the element. */
export async function waitForTestId(browser, id, { timeout = 15_000, why = '' } = {}) {
  const el = browser.$(byTestId(id));
  await el.waitForDisplayed({
    timeout,
    interval: 100,
    timeoutMsg: `expected ${byTestId(id)} to be visible within ${timeout} ms${why ? ` (${why})` : ''}`,
  });
  return el;
}

/** Wait until [data-testid=id] is absent or hidden. */
export async function waitForTestIdGone(browser, id, { timeout = 15_000, why = '' } = {}) {
  await browser.$(byTestId(id)).waitForDisplayed({
    reverse: true,
    timeout,
    interval: 100,
    timeoutMsg: `expected ${byTestId(id)} to disappear within ${timeout} ms${why ? ` (${why})` : ''}`,
  });
}

/** Is [data-testid=id] present and displayed right now? */
export async function isTestIdShown(browser, id) {
  const el = browser.$(byTestId(id));
  return (await el.isExisting()) && (await el.isDisplayed());
}

const normalize = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

/** textContent of the first [data-testid=id] (whitespace collapsed; CSS text-transform ignored), or null. */
export async function testIdText(browser, id) {
  const text = await browser.execute((sel) => {
    const el = document.querySelector(sel);
    return el ? el.textContent : null;
  }, byTestId(id));
  return text === null ? null : normalize(text);
}

/** Wait until the text of [data-testid=id] satisfies `predicate`; returns that text. */
export async function waitForText(browser, id, predicate, { timeout = 15_000, why = '' } = {}) {
  let last = null;
  try {
    await browser.waitUntil(
      async () => {
        last = await testIdText(browser, id);
        return last !== null && predicate(last);
      },
      { timeout, interval: 200 },
    );
  } catch {
    throw new Error(
      `expected the text of ${byTestId(id)} ${why || 'to match'} within ${timeout} ms; ` +
        `last seen: ${last === null ? '(element absent)' : JSON.stringify(last)}`,
    );
  }
  return last;
}

/** Poll `probe()` until `done(value)`; throws `message(lastValue)` on timeout. */
export async function pollUntil(probe, done, { timeout = 15_000, interval = 250, message }) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(message ? message(last) : `condition not met within ${timeout} ms: ${JSON.stringify(last)}`);
    }
    await sleep(interval);
  }
}

/**
 * Seconds left in a countdown text: "14:59", "1:02:03", "14 min 59 s", "59 s", "899".
 * NaN when there is no number in it.
 */
export function parseCountdown(text) {
  const t = text ?? '';
  let m = t.match(/(\d+):(\d{2}):(\d{2})/);
  if (m) return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  m = t.match(/(\d+):(\d{2})/);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  const units = { h: 3600, m: 60, s: 1 };
  let total = 0;
  let found = false;
  for (const u of t.matchAll(/(\d+)\s*(h(?:ours?|rs?)?|m(?:in(?:utes?|s)?)?|s(?:ec(?:onds?|s)?)?)\b/gi)) {
    total += Number(u[1]) * units[u[2][0].toLowerCase()];
    found = true;
  }
  if (found) return total;
  m = t.match(/\d+/);
  return m ? Number(m[0]) : NaN;
}

// ---------------------------------------------------------------------------------------------
// The sandbox's device-login page (what a person does in the browser)
// ---------------------------------------------------------------------------------------------

/**
 * POST the verification page's form: { userCode, loginHint, decision } → { status, body }.
 * `verificationUri` is the http://127.0.0.1:PORT/devicelogin URL the app shows.
 */
export async function submitDeviceLogin(verificationUri, { userCode, loginHint, decision = 'approve' }) {
  const url = new URL(verificationUri);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`refusing to POST to a non-loopback verification URI: ${verificationUri}`);
  }
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user_code: userCode, login_hint: loginHint, decision }).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: await res.text() };
}

// ---------------------------------------------------------------------------------------------
// A standalone sandbox (latchkey-sandbox --port 0 ...)
// ---------------------------------------------------------------------------------------------

const liveSandboxes = new Set();
process.on('exit', () => {
  for (const child of liveSandboxes) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/**
 * Start `$LATCHKEY_SANDBOX_BIN --port 0 ...args`; resolves once it printed
 * "latchkey-sandbox listening on http://127.0.0.1:PORT". Returns { url, port, pid, stop(), kill() }.
 * Its output goes to E2E_LOG_DIR/sandbox-<name>.log.
 */
export async function startSandbox({ name, args = [], timeout = 15_000 }) {
  const bin = sandboxBinPath();
  const logFile = path.join(logDir(), `sandbox-${safeName(name)}.log`);
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const child = spawn(bin, ['--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { NO_COLOR: '1', ...process.env },
    detached: true, // own process group: stop() signals the group
  });
  liveSandboxes.add(child);
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => liveSandboxes.delete(child));

  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${bin} did not print its "listening on" line within ${timeout} ms (log: ${logFile})`)),
      timeout,
    );
    let first = true;
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      if (!first) return;
      first = false;
      const m = line.match(/latchkey-sandbox listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      clearTimeout(timer);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from ${bin}: ${JSON.stringify(line)} (log: ${logFile})`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited early (code ${code}, signal ${signal}); log: ${logFile}`));
    });
  }).catch(async (err) => {
    await signalGroup(child, 'SIGKILL', exited);
    throw err;
  });

  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid,
    logFile,
    /** SIGKILL: the sandbox vanishes at once, as if it crashed. */
    kill: () => signalGroup(child, 'SIGKILL', exited),
    /** SIGTERM, then SIGKILL after 5 s. */
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await signalGroup(child, 'SIGTERM', exited, 5_000);
      if (child.exitCode === null && child.signalCode === null) await signalGroup(child, 'SIGKILL', exited);
    },
  };
}

async function signalGroup(child, signal, exited, waitMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  await Promise.race([exited, sleep(waitMs)]);
}

// ---------------------------------------------------------------------------------------------
// Secret Service (gnome-keyring, unlocked by the rig)
// ---------------------------------------------------------------------------------------------

const attrArgs = (attributes) => Object.entries(attributes).flat();

/**
 * Items matching `attributes`, from `secret-tool search --all`:
 * [{ path, label, attributes: {..}, secret }] (secret as secret-tool prints it).
 */
export function secretItems(attributes) {
  // secret-tool prints label/secret on stdout but the attribute.* lines on stderr: merge the two
  // line-buffered so that each item's lines stay together.
  let out;
  try {
    out = execFileSync(
      'sh',
      ['-c', 'exec stdbuf -oL -eL secret-tool search --all "$@" 2>&1', 'sh', ...attrArgs(attributes)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    // secret-tool exits 1 when nothing matches.
    if (err.status === 1 && !String(err.stdout ?? '').trim()) return [];
    throw new Error(`secret-tool search failed (exit ${err.status}): ${err.stdout || err.message}`);
  }
  const items = [];
  let item = null;
  for (const line of out.split('\n')) {
    const header = line.match(/^\[(.*)\]$/);
    if (header) {
      item = { path: header[1], label: null, attributes: {}, secret: null };
      items.push(item);
      continue;
    }
    const kv = line.match(/^(\S+) = (.*)$/);
    if (!item || !kv) continue;
    if (kv[1].startsWith('attribute.')) item.attributes[kv[1].slice('attribute.'.length)] = kv[2];
    else if (kv[1] === 'label') item.label = kv[2];
    else if (kv[1] === 'secret') item.secret = kv[2];
  }
  return items;
}

/** The exact secret stored under `attributes` (secret-tool lookup), as a Buffer; null if none. */
export function secretLookup(attributes) {
  try {
    return execFileSync('secret-tool', ['lookup', ...attrArgs(attributes)], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (err.status === 1) return null;
    throw new Error(`secret-tool lookup failed: ${err.stderr || err.message}`);
  }
}

/** Remove every item matching `attributes`. */
export function clearSecrets(attributes) {
  try {
    execFileSync('secret-tool', ['clear', ...attrArgs(attributes)], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (err.status !== 1) throw new Error(`secret-tool clear failed: ${err.stderr || err.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Binary-safe recursive search
// ---------------------------------------------------------------------------------------------

/** Regular files under `roots` (recursively, symlinks not followed) whose bytes contain `needle`. */
export function filesContaining(roots, needle) {
  const pattern = Buffer.isBuffer(needle) ? needle : Buffer.from(needle);
  if (pattern.length === 0) throw new Error('filesContaining: empty needle');
  const hits = [];
  const walk = (p) => {
    let st;
    try {
      st = fs.lstatSync(p);
    } catch {
      return; // vanished
    }
    if (st.isDirectory()) {
      for (const entry of fs.readdirSync(p)) walk(path.join(p, entry));
    } else if (st.isFile()) {
      let data;
      try {
        data = fs.readFileSync(p);
      } catch {
        return;
      }
      if (data.indexOf(pattern) !== -1) hits.push(p);
    }
  };
  for (const root of roots) walk(root);
  return hits;
}

// ---------------------------------------------------------------------------------------------
// The tray menu, read over D-Bus (com.canonical.dbusmenu), as a desktop's tray host would
// ---------------------------------------------------------------------------------------------

function gdbus(args) {
  // stderr is dropped: names that vanish between listing and asking are expected here.
  return execFileSync('gdbus', args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
}

/**
 * The tray menu exported by the process `pid`: { name, path, items: [{ id, label }] } (separators
 * have no label and are left out), or null when none is exported yet.
 */
export function trayMenu(pid) {
  const names = gdbus(['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus',
    '--method', 'org.freedesktop.DBus.ListNames']).match(/':[0-9.]+'/g) ?? [];
  for (const quoted of names) {
    const name = quoted.slice(1, -1);
    let owner;
    try {
      owner = gdbus(['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus',
        '--method', 'org.freedesktop.DBus.GetConnectionUnixProcessID', name]);
    } catch {
      continue;
    }
    if (!owner.includes(`(uint32 ${pid},)`)) continue;
    let tree;
    try {
      tree = gdbus(['introspect', '--session', '--dest', name, '--object-path', '/', '--recurse']);
    } catch {
      continue;
    }
    // Object paths are printed as "node /path {" and the menu's interface inside the block.
    const blocks = tree.split(/\n(?=\s*node \/)/);
    for (const block of blocks) {
      const path = block.match(/node (\/\S*)/)?.[1];
      if (!path || !block.includes('interface com.canonical.dbusmenu')) continue;
      const layout = gdbus(['call', '--session', '--dest', name, '--object-path', path,
        '--method', 'com.canonical.dbusmenu.GetLayout', '--', '0', '-1', '["label"]']);
      // Each item is "(id, {props}, [children])"; only those with a label are kept.
      const items = [];
      for (const m of layout.matchAll(/\((\d+), \{((?:[^{}']|'(?:[^'\\]|\\.)*')*)\}/g)) {
        const label = m[2].match(/'label': <'((?:[^'\\]|\\.)*)'>/)?.[1];
        if (label !== undefined) items.push({ id: Number(m[1]), label });
      }
      return { name, path, items };
    }
  }
  return null;
}

/** Labels of the tray menu exported by the process `pid`, or [] when none is exported yet. */
export function trayMenuLabels(pid) {
  return trayMenu(pid)?.items.map((item) => item.label) ?? [];
}

/**
 * Clicks the tray menu item labelled `label` of the process `pid` as a tray host does: a
 * com.canonical.dbusmenu Event(id, "clicked", <0>, 0). Throws when no item has that label.
 */
export function clickTrayItem(pid, label) {
  const menu = trayMenu(pid);
  const item = menu?.items.find((i) => i.label === label);
  if (!item) {
    throw new Error(`no tray item labelled ${JSON.stringify(label)}; the menu has ${JSON.stringify(menu?.items.map((i) => i.label) ?? [])}`);
  }
  execFileSync('gdbus', ['call', '--session', '--dest', menu.name, '--object-path', menu.path,
    '--method', 'com.canonical.dbusmenu.Event', '--', String(item.id), 'clicked', '<0>', '0'],
  { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
}
