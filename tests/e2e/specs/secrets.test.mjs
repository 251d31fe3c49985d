// Tokens never leave the keyring: a full session on the real window (Ada signs in and asks for
// an open group and an approval-gated one, signs out; Chloé signs in, approves Ada's request,
// signs out) against a standalone sandbox behind a recording proxy, which keeps every access,
// id and refresh token the sandbox issued. Then the scratch HOME (config, data, cache, state),
// the rig's logs (the app's stdout/stderr among them) and every IPC message the web view
// received (responses and events, recorded in the page) are searched for each token and for
// the sandbox's JWT shape: zero hits. After sign-out the keyring holds no Latchkey item.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  clearSecrets,
  logDir,
  pollUntil,
  removeAppConfig,
  sandboxConfig,
  scratchHome,
  secretItems,
  startSandbox,
  submitDeviceLogin,
  waitForTestId,
  waitForText,
  withSession,
} from '../lib/harness.mjs';

after(() => {
  if (process.env.E2E_SCRATCH_HOME) removeAppConfig();
});

const ADA = { upn: 'ada@fabrikam.example', name: 'Ada Okafor' };
const CHLOE = { upn: 'chloe@fabrikam.example', name: 'Chloé Martin' };
// base64url of the sandbox's JWT header {"typ":"JWT","alg":"HS256"}: every access and id token
// it signs starts with it.
const SANDBOX_JWT_HEADER = Buffer.from('{"typ":"JWT","alg":"HS256"}').toString('base64url');
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;

/**
 * An HTTP proxy in front of `target` that records every token in a token endpoint's answer.
 * The app talks to the proxy; nothing in the product changes.
 */
async function startRecordingProxy(target) {
  const upstream = new URL(target);
  const tokens = new Set();
  let tokenResponses = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: upstream.host };
      delete headers['content-length'];
      const out = http.request(
        { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...headers, 'content-length': body.length } },
        (up) => {
          const parts = [];
          up.on('data', (c) => parts.push(c));
          up.on('end', () => {
            const answer = Buffer.concat(parts);
            if (/\/oauth2\/v2\.0\/token\b/.test(req.url ?? '')) {
              try {
                const json = JSON.parse(answer.toString('utf8'));
                for (const key of ['access_token', 'refresh_token', 'id_token']) {
                  if (typeof json[key] === 'string' && json[key]) tokens.add(json[key]);
                }
                if (json.access_token) tokenResponses += 1;
              } catch {
                /* an error answer */
              }
            }
            const back = { ...up.headers };
            delete back['transfer-encoding'];
            back['content-length'] = answer.length;
            res.writeHead(up.statusCode ?? 502, back);
            res.end(answer);
          });
          up.on('error', () => res.destroy());
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    tokens,
    tokenResponses: () => tokenResponses,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// --- recording what the web view receives -------------------------------------------------------

/**
 * Every IPC answer and event reaches the page through `__TAURI_INTERNALS__.runCallback`, which
 * looks the handler up in the `callbacks` map: wrapping that map's `get` sees each payload.
 */
async function installIpcRecorder(browser) {
  return browser.execute(() => {
    if (window.__e2eIpcLog) return 'present';
    const internals = window.__TAURI_INTERNALS__;
    if (!internals || !internals.callbacks) return 'no internals';
    const log = [];
    window.__e2eIpcLog = log;
    const get = Map.prototype.get;
    internals.callbacks.get = function (id) {
      const callback = get.call(this, id);
      if (typeof callback !== 'function') return callback;
      return (data) => {
        let text;
        try {
          text = JSON.stringify(data);
        } catch {
          text = String(data);
        }
        log.push(text ?? String(data));
        return callback(data);
      };
    };
    return 'installed';
  });
}

/** The messages recorded since the last drain (the recorder is reinstalled if the page reloaded). */
async function drainIpc(browser, into) {
  const got = await browser.execute(() => {
    const log = window.__e2eIpcLog;
    if (!log) return null;
    return log.splice(0, log.length);
  });
  if (got === null) {
    into.reloads += 1;
    assert.equal(await installIpcRecorder(browser), 'installed');
    return;
  }
  into.messages.push(...got);
}

async function signInAs(browser, person, ipc) {
  await (await waitForTestId(browser, 'sign-in-button', { timeout: 30_000, why: `signed out before ${person.name}` })).click();
  const userCode = await waitForText(browser, 'user-code', (t) => t.length >= 6, { why: 'the device code' });
  const uri = await waitForText(browser, 'verification-uri', (t) => t.startsWith('http://127.0.0.1:'), { why: 'the sign-in page' });
  const page = await submitDeviceLogin(uri, { userCode, loginHint: person.upn, decision: 'approve' });
  assert.equal(page.status, 200, page.body.slice(0, 300));
  await waitForText(browser, 'account-name', (t) => t.includes(person.name), { timeout: 25_000, why: `${person.name} signed in` });
  await drainIpc(browser, ipc);
}

async function signOut(browser, ipc) {
  await (await waitForTestId(browser, 'sign-out', { why: 'the Sign out button' })).click();
  await waitForTestId(browser, 'sign-in-button', { timeout: 15_000, why: 'signed out' });
  await drainIpc(browser, ipc);
}

async function setField(browser, id, value) {
  const field = await waitForTestId(browser, id, { why: `the ${id} field` });
  await field.clearValue();
  await field.setValue(value);
}

async function activate(browser, group, fields) {
  const clicked = await pollUntil(
    () =>
      browser.execute((name) => {
        const row = [...document.querySelectorAll('[data-testid="eligible-row"]')].find(
          (r) => r.querySelector('[data-testid="eligible-name"]')?.textContent.trim() === name,
        );
        const button = row?.querySelector('[data-testid="activate-button"]');
        button?.click();
        return Boolean(button);
      }, group),
    (done) => done,
    { timeout: 20_000, message: () => `expected an Activate button on ${group}` },
  );
  assert.ok(clicked);
  await waitForTestId(browser, 'activation-form', { why: `the activation form for ${group}` });
  for (const [id, value] of Object.entries(fields)) await setField(browser, id, value);
  await (await waitForTestId(browser, 'submit-activation')).click();
  const status = await pollUntil(
    () => browser.execute(() => document.querySelector('[data-testid="activation-outcome"]')?.dataset.status ?? null),
    (s) => s && s !== 'sending',
    { timeout: 15_000, message: (s) => `expected an outcome for ${group}; status ${s}` },
  );
  await (await waitForTestId(browser, 'close-outcomes')).click();
  return status;
}

/**
 * The window shows "signed out" at once; the keyring item goes right after (sign-out first
 * waits for a token refresh in flight, so that it cannot write its rotated token back).
 */
async function keyringEmptied(why) {
  // An item deleted between secret-tool's search and its read makes secret-tool fail: ask again.
  const probe = () => {
    try {
      return secretItems({ service: 'latchkey' });
    } catch (err) {
      if (/No such secret item/.test(err.message)) return null;
      throw err;
    }
  };
  const left = await pollUntil(probe, (items) => items !== null && items.length === 0, {
    timeout: 10_000,
    interval: 200,
    message: (items) => `${why}; still there after 10 s: ${JSON.stringify(items?.map((i) => i.label))}`,
  });
  assert.deepEqual(left, []);
}

// --- scanning -------------------------------------------------------------------------------

function filesUnder(root) {
  const out = [];
  const walk = (p) => {
    let st;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    else if (st.isFile()) out.push(p);
  };
  walk(root);
  return out;
}

/** Where any of `tokens` (or the JWT shape) occurs in `text`: a list of "where: what" lines. */
function hitsIn(where, text, tokens) {
  const hits = [];
  for (const token of tokens) if (text.includes(token)) hits.push(`${where}: a token the sandbox issued (${token.slice(0, 12)}…)`);
  if (text.includes(SANDBOX_JWT_HEADER)) hits.push(`${where}: the sandbox's JWT header`);
  const shape = text.match(JWT_SHAPE);
  if (shape) hits.push(`${where}: a JWT-shaped string (${shape[0].slice(0, 16)}…)`);
  return hits;
}

test('after a full session no token is in any file, log or IPC message, and the keyring is empty', { timeout: 300_000 }, async () => {
  scratchHome();
  clearSecrets({ service: 'latchkey' });
  const sandbox = await startSandbox({ name: 'secrets', args: ['--device-code-interval', '1'] });
  const proxy = await startRecordingProxy(sandbox.url);
  const ipc = { messages: [], reloads: 0 };
  try {
    await withSession({ name: 'secrets', config: sandboxConfig(proxy.url) }, async ({ browser }) => {
      await waitForTestId(browser, 'tenant-badge', { timeout: 30_000, why: 'the window is up' });
      assert.equal(await installIpcRecorder(browser), 'installed', 'the page exposes __TAURI_INTERNALS__.callbacks');

      // --- Ada: an open group and an approval-gated one -------------------------------------------
      await signInAs(browser, ADA, ipc);
      assert.equal(await activate(browser, 'On-call Responders', { 'duration-minutes': '60' }), 'provisioned');
      assert.equal(
        await activate(browser, 'Prod DB Admins', { 'duration-minutes': '60', justification: 'Restore drill', 'ticket-number': 'CHG-88' }),
        'pendingApproval',
      );
      await drainIpc(browser, ipc);
      await signOut(browser, ipc);
      await keyringEmptied('signing Ada out removes her keyring item');

      // --- Chloé approves it ----------------------------------------------------------------------
      await signInAs(browser, CHLOE, ipc);
      await (await waitForTestId(browser, 'view-approvals', { why: 'the Approvals view' })).click();
      await waitForTestId(browser, 'approval-row', { timeout: 20_000, why: "Ada's request in Chloé's inbox" });
      await setField(browser, 'decision-reason', 'Drill approved');
      await (await waitForTestId(browser, 'approve-button')).click();
      await pollUntil(
        () => browser.execute(() => document.querySelector('[data-testid="decision-result"]')?.dataset.outcome ?? null),
        (o) => o === 'approved',
        { timeout: 15_000, message: (o) => `expected the decision to be recorded as approved; saw ${o}` },
      );
      await drainIpc(browser, ipc);
      await signOut(browser, ipc);
      await keyringEmptied('signing Chloé out removes her keyring item');
    });
  } finally {
    await proxy.close();
    await sandbox.stop();
  }

  // --- the recording saw the session --------------------------------------------------------------
  const tokens = [...proxy.tokens];
  assert.ok(proxy.tokenResponses() >= 2, `the proxy should have seen both sign-ins' token answers; saw ${proxy.tokenResponses()}`);
  assert.ok(tokens.some((t) => t.startsWith(SANDBOX_JWT_HEADER)), 'access tokens recorded');
  assert.ok(tokens.some((t) => !t.includes('.')), 'refresh tokens recorded');
  const joined = ipc.messages.join('\n');
  assert.ok(joined.includes('Prod DB Admins'), 'the IPC recording holds the eligibility listing');
  assert.ok(joined.includes('session-changed') && joined.includes(CHLOE.name), 'the IPC recording holds session events');

  // --- the scan ------------------------------------------------------------------------------------
  const hits = [];
  let bytes = 0;
  let files = 0;
  const home = scratchHome();
  const logs = logDir();
  const roots = [home, logs];
  for (const root of roots) {
    for (const file of filesUnder(root)) {
      // The standalone sandbox's own log is the service's, not the app's.
      if (path.dirname(file) === logs && path.basename(file).startsWith('sandbox-')) continue;
      const data = fs.readFileSync(file);
      bytes += data.length;
      files += 1;
      hits.push(...hitsIn(path.relative(path.dirname(home), file), data.toString('latin1'), tokens));
    }
  }
  const appLogs = filesUnder(logs).filter((f) => /\/app-[^/]*\.log$/.test(f));
  assert.ok(appLogs.length >= 1, 'the app wrote its stdout/stderr log');
  for (const [i, message] of ipc.messages.entries()) {
    bytes += Buffer.byteLength(message);
    hits.push(...hitsIn(`IPC message ${i}`, message, tokens));
  }
  console.log(
    `[e2e] secrets scan: ${tokens.length} issued tokens, ${files} files and ${ipc.messages.length} IPC messages ` +
      `(${bytes} bytes; recorder reinstalled ${ipc.reloads} times), hits = ${hits.length}`,
  );
  assert.deepEqual(hits, [], 'no token anywhere outside the keyring');

  // --- the keyring: nothing of Latchkey's after sign-out ----------------------------------------
  assert.deepEqual(secretItems({ service: 'latchkey' }), [], 'no service=latchkey item after sign-out');
  const leftovers = secretItems({ target: 'default' }).filter((i) => i.attributes.service?.includes('latchkey'));
  assert.deepEqual(leftovers, [], 'no other Latchkey item in the keyring');
});
