// The fake inbox behaves like PIM for an approver: soonest to expire first, the first decision
// wins, a 24-hour window, and a policy that can want the approver's reason; and a step-up waits
// for the browser sign-in before it resends the same requests.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ActivationInput } from "./bindings/ActivationInput";
import { MemoryBackend } from "./memory-backend";

const START = Date.parse("2026-03-10T12:00:00Z");
const HOUR = 3_600_000;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the fake inbox", () => {
  it("lists Ben, Dmitri and Grace, soonest to expire first, each with a 24-hour window", async () => {
    const backend = MemoryBackend.scenario("approvals");
    const { items, unavailable } = await backend.listApprovals();
    expect(unavailable).toEqual([]);
    expect(items.map((i) => [i.requester.displayName, i.name, i.durationMinutes, i.ticketNumber])).toEqual([
      ["Ben Tanaka", "Prod DB Admins", 120, "CHG-12"],
      ["Dmitri Volkov", "Exchange Administrator", 60, "INC-7"],
      ["Grace Liu", "User Administrator", 30, null],
    ]);
    expect(items[0]?.justification).toBe("Restore drill");
    for (const item of items) {
      expect(Date.parse(item.expiresDateTime) - Date.parse(item.createdDateTime)).toBe(24 * HOUR);
    }
    expect(items.find((i) => i.requester.displayName === "Grace Liu")?.startDateTime).not.toBeNull();
    expect(items.find((i) => i.requester.displayName === "Ben Tanaka")?.startDateTime).toBeNull();
  });

  it("records my decision once; a second one, or one after someone else's, is alreadyDecided", async () => {
    const backend = MemoryBackend.scenario("approvals");
    const [ben, dmitri, grace] = (await backend.listApprovals()).items;
    backend.inbox.decideElsewhere(dmitri!.approvalId);
    const outcomes = await backend.decide([
      { plane: ben!.target.plane, approvalId: ben!.approvalId, approve: true, justification: "Drill is scheduled" },
      { plane: ben!.target.plane, approvalId: ben!.approvalId, approve: false, justification: "again" },
      { plane: dmitri!.target.plane, approvalId: dmitri!.approvalId, approve: true, justification: "" },
    ]);
    expect(outcomes.map((o) => [o.approvalId, o.decided, o.error?.code ?? null])).toEqual([
      [ben!.approvalId, true, null],
      [ben!.approvalId, false, "alreadyDecided"],
      [dmitri!.approvalId, false, "alreadyDecided"],
    ]);
    expect((await backend.listApprovals()).items.map((i) => i.approvalId)).toEqual([grace!.approvalId]);
  });

  it("refuses a decision without a reason when the policy wants one, and keeps the request", async () => {
    const backend = MemoryBackend.scenario("approvals");
    const ben = (await backend.listApprovals()).items[0]!;
    const [outcome] = await backend.decide([{ plane: "group", approvalId: ben.approvalId, approve: true, justification: "  " }]);
    expect(outcome).toMatchObject({ decided: false, error: { code: "invalidInput" } });
    expect((await backend.listApprovals()).items[0]?.approvalId).toBe(ben.approvalId);
  });

  it("drops a request nobody decided within 24 hours", async () => {
    const backend = MemoryBackend.scenario("approvals");
    const ben = (await backend.listApprovals()).items[0]!;
    vi.setSystemTime(Date.parse(ben.expiresDateTime));
    expect((await backend.listApprovals()).items.map((i) => i.requester.displayName)).not.toContain("Ben Tanaka");
    const [outcome] = await backend.decide([{ plane: "group", approvalId: ben.approvalId, approve: true, justification: "late" }]);
    expect(outcome?.error?.code).toBe("alreadyDecided");
  });
});

describe("the fake step-up", () => {
  const payments = (backend: MemoryBackend): ActivationInput => ({
    target: backend.eligibilities.find((e) => e.id === "ge-payments")!.target,
    durationMinutes: 30,
    justification: "Refund batch",
    ticketNumber: null,
    ticketSystem: null,
    startAt: null,
  });

  it("asks for MFA first, then resends the same input once the browser sign-in finishes", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    const input = payments(backend);
    expect((await backend.activate([input]))[0]?.error?.code).toBe("stepUpRequired");
    const retried = backend.stepUpAndActivate([input]);
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.browserSignIn.waiting).toBe(true);
    expect(backend.completeStepUp()).toBe(true);
    expect((await retried).map((o) => o.status)).toEqual(["provisioned"]);
    expect(backend.stepUpCalls).toEqual([[input]]);
  });

  it("rejects with signInCancelled when canceled, and activates nothing", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    const retried = backend.stepUpAndActivate([payments(backend)]);
    const seen = retried.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    await backend.cancelStepUp();
    expect(await seen).toMatchObject({ code: "signInCancelled" });
    expect(backend.cancelStepUpCalls).toBe(1);
    expect(await backend.listActivations()).toEqual({ items: [], unavailable: [] });
  });
});
