import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SessionState } from "./bindings/SessionState";
import { CODE_EXPIRED, MemoryBackend, SCENARIOS } from "./memory-backend";

const START = Date.parse("2026-03-10T12:00:00Z");

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});

afterEach(() => {
  vi.useRealTimers();
});

async function recorder(backend: MemoryBackend): Promise<SessionState[]> {
  const seen: SessionState[] = [];
  await backend.onSessionChanged((session) => seen.push(session));
  return seen;
}

describe("MemoryBackend", () => {
  it("starts signed out in the sandbox tenant", async () => {
    const snapshot = await new MemoryBackend().appSnapshot();
    expect(snapshot.tenant).toMatchObject({ kind: "sandbox", label: "Sandbox tenant" });
    expect(snapshot.session).toEqual({ state: "signedOut", lastError: null });
  });

  it("issues a 15-minute code and announces signing in", async () => {
    const backend = new MemoryBackend();
    const seen = await recorder(backend);
    const prompt = await backend.startSignIn();
    expect(prompt.userCode).toMatch(/^[A-Z0-9]{6,}$/);
    expect(Date.parse(prompt.expiresAt) - START).toBe(15 * 60 * 1000);
    expect(prompt.message).toContain(prompt.userCode);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([{ state: "signingIn", prompt }]);
  });

  it("signs in through the test hook and then lists groups and roles", async () => {
    const backend = new MemoryBackend();
    const seen = await recorder(backend);
    await backend.startSignIn();
    backend.completeSignIn();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.at(-1)).toEqual({ state: "signedIn", account: backend.account });
    const { items, unavailable } = await backend.listEligibilities();
    expect(items.filter((e) => e.target.plane === "group").length).toBeGreaterThan(2);
    expect(items.filter((e) => e.target.plane === "directoryRole").map((e) => e.name)).toEqual([
      "Global Reader",
      "Exchange Administrator",
      "User Administrator",
      "Security Reader",
      "Application Administrator",
    ]);
    expect(items.some((e) => e.name === null)).toBe(true);
    expect(unavailable).toEqual([]);
  });

  it("refuses to list when signed out, with an AppError", async () => {
    await expect(new MemoryBackend().listEligibilities()).rejects.toEqual({
      code: "notSignedIn",
      message: expect.any(String),
    });
  });

  it("ends sign-in with signInCodeExpired on the first poll after the code runs out", async () => {
    const backend = new MemoryBackend({ pollIntervalSeconds: 5 });
    const seen = await recorder(backend);
    await backend.startSignIn();
    await vi.advanceTimersByTimeAsync(15 * 60 * 1000 + 5000 - 1);
    expect(backend.session.state).toBe("signingIn");
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.at(-1)).toEqual({ state: "signedOut", lastError: CODE_EXPIRED });
  });

  it("fails sign-in with the given error and stops the expiry timer on cancel", async () => {
    const backend = new MemoryBackend();
    const seen = await recorder(backend);
    await backend.startSignIn();
    const declined = { code: "signInDeclined", message: "You declined the sign-in." } as const;
    backend.failSignIn(declined);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.at(-1)).toEqual({ state: "signedOut", lastError: declined });

    await backend.startSignIn();
    await backend.cancelSignIn();
    await vi.advanceTimersByTimeAsync(60 * 60 * 1000);
    expect(seen.at(-1)).toEqual({ state: "signedOut", lastError: null });
  });

  it("copies and opens only while there is a prompt", async () => {
    const backend = new MemoryBackend();
    await expect(backend.copyUserCode()).rejects.toMatchObject({ code: "invalidInput" });
    const prompt = await backend.startSignIn();
    await backend.copyUserCode();
    await backend.openVerificationPage();
    expect(backend.clipboard).toBe(prompt.userCode);
    expect(backend.openedPages).toEqual([prompt.verificationUri]);
  });

  it("stops delivering events after unsubscribe", async () => {
    const backend = new MemoryBackend();
    const seen: SessionState[] = [];
    const unsubscribe = await backend.onSessionChanged((s) => seen.push(s));
    unsubscribe();
    backend.completeSignIn();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([]);
  });

  it("has a working demo for every scenario", async () => {
    for (const name of SCENARIOS) {
      const { session } = await MemoryBackend.scenario(name).appSnapshot();
      const expected = {
        "signed-out": "signedOut",
        "code-expired": "signedOut",
        "signing-in": "signingIn",
        restoring: "restoring",
        "signed-in": "signedIn",
        "nothing-eligible": "signedIn",
        "eligible-error": "signedIn",
        "roles-unavailable": "signedIn",
        active: "signedIn",
        activation: "signedIn",
        "activity-error": "signedIn",
        approvals: "signedIn",
      }[name];
      expect(session.state, name).toBe(expected);
    }
    await expect(MemoryBackend.scenario("eligible-error").listEligibilities()).rejects.toMatchObject({
      code: "serviceError",
    });
    await expect(MemoryBackend.scenario("nothing-eligible").listEligibilities()).resolves.toEqual({ items: [], unavailable: [] });
  });

  it("reports an unavailable plane in every list and keeps the other planes' items", async () => {
    const backend = MemoryBackend.scenario("roles-unavailable");
    const eligible = await backend.listEligibilities();
    expect(eligible.unavailable).toEqual([{ plane: "directoryRole", error: expect.objectContaining({ code: "forbidden" }) }]);
    expect(eligible.items.length).toBeGreaterThan(0);
    expect(eligible.items.some((e) => e.target.plane === "directoryRole")).toBe(false);
    expect(new Set(eligible.items.map((e) => e.target.plane))).toEqual(new Set(["group", "azureRole"]));
    expect((await backend.listActivations()).unavailable.map((u) => u.plane)).toEqual(["directoryRole"]);
    expect((await backend.listRequests()).unavailable.map((u) => u.plane)).toEqual(["directoryRole"]);
  });

  it("rejects a list when no plane could be read, as Rust does", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    backend.unavailable.set("group", { code: "network", message: "Offline." });
    backend.unavailable.set("directoryRole", { code: "network", message: "Still offline." });
    backend.unavailable.set("azureRole", { code: "network", message: "Offline too." });
    await expect(backend.listEligibilities()).rejects.toEqual({ code: "network", message: "Offline too." });
  });
});
