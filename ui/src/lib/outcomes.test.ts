import { describe, expect, it } from "vitest";
import type { ActivationInput } from "./bindings/ActivationInput";
import type { PimRequest } from "./bindings/PimRequest";
import type { RequestOutcome } from "./bindings/RequestOutcome";
import type { RequestStatus } from "./bindings/RequestStatus";
import { alignOutcomes, describeError, describeOutcome, failAll, findActivation, pendingRequests, statusWords } from "./outcomes";
import { activation, roleTarget } from "./testing/fixtures";

// The app formats in the system's zone; these tests run wherever, so they build expectations
// from local Date values rather than fixed strings where a time of day is shown.
const NOW = new Date(2026, 2, 10, 12, 0).getTime();
const MINUTE = 60_000;
const clock = (ms: number) => new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(ms);

const input: ActivationInput = {
  target: { plane: "group", groupId: "gid-1", access: "member" },
  durationMinutes: 90,
  justification: "x",
  ticketNumber: null,
  ticketSystem: null,
  startAt: null,
};

const outcome = (status: RequestStatus | null, error: RequestOutcome["error"] = null): RequestOutcome => ({
  target: input.target,
  requestId: status === null ? null : "req-1",
  status,
  error,
});

describe("describeError", () => {
  it("says an unknown outcome may have happened and to refresh, not that it was refused", () => {
    const view = describeError({ code: "outcomeUnknown", message: "Latchkey couldn't tell whether PIM received the request. Refresh before trying again." });
    expect(view).toMatchObject({ status: "error", tone: "waiting", headline: "Not sure it went through: refresh before trying again" });
    expect(describeError({ code: "network", message: "x" }).tone).toBe("bad");
  });
});

describe("describeOutcome", () => {
  it("calls only a provisioned request active, until the activation's real end", () => {
    const end = new Date(2026, 2, 10, 14, 32).toISOString();
    const view = describeOutcome(outcome("provisioned"), input, activation({ endDateTime: end }), NOW, NOW);
    expect(view).toEqual({ status: "provisioned", tone: "good", headline: `Active until ${clock(Date.parse(end))}`, detail: null });
  });

  it("estimates the end from when it was sent when the list has not caught up yet", () => {
    const view = describeOutcome(outcome("provisioned"), input, undefined, NOW, NOW + 5000);
    expect(view.headline).toBe(`Active until ${clock(NOW + 90 * MINUTE)}`);
  });

  it("never says active for any other status", () => {
    const statuses: RequestStatus[] = ["granted", "pendingApproval", "denied", "canceled", "revoked", "failed", "timedOut", "inProgress"];
    for (const status of statuses) {
      const view = describeOutcome(outcome(status), input, activation(), NOW, NOW);
      expect(view.status).toBe(status);
      expect(view.headline, status).not.toMatch(/^Active/);
    }
  });

  it("says when a scheduled activation starts and how long approval may take", () => {
    const start = new Date(2026, 2, 10, 15, 0).toISOString();
    expect(describeOutcome(outcome("granted"), { ...input, startAt: start }, undefined, NOW, NOW).headline).toBe(
      `Scheduled for ${clock(Date.parse(start))}`,
    );
    expect(describeOutcome(outcome("pendingApproval"), input, undefined, NOW, NOW)).toMatchObject({
      tone: "waiting",
      headline: "Waiting for approval (up to 24 h)",
    });
  });

  it("shows an error's message, and says a step-up means MFA or a stronger sign-in", () => {
    const stepUp = describeOutcome(
      outcome(null, { code: "stepUpRequired", message: "Sign in again with MFA when asked." }),
      input,
      undefined,
      NOW,
      NOW,
    );
    expect(stepUp).toEqual({
      status: "error",
      tone: "bad",
      headline: "Needs MFA or a stronger sign-in",
      detail: "Sign in again with MFA when asked.",
    });
    const other = describeOutcome(outcome(null, { code: "internal", message: "Boom." }), input, undefined, NOW, NOW);
    expect(other).toMatchObject({ status: "error", headline: "Not activated", detail: "Boom." });
  });

  it("treats an outcome with neither status nor error as an error, not as success", () => {
    expect(describeOutcome(outcome(null), input, undefined, NOW, NOW).status).toBe("error");
  });
});

describe("statusWords", () => {
  it("words a scheduled start on another day with the day", () => {
    const start = new Date(2026, 2, 11, 9, 0);
    expect(statusWords("granted", start.toISOString(), NOW)).toContain("11");
    expect(statusWords("granted", null, NOW)).toBe("Scheduled");
  });
});

describe("pendingRequests", () => {
  it("keeps what waits for an approver or a start time", () => {
    const req = (id: string, status: RequestStatus) => ({ id, status }) as PimRequest;
    const list = [req("a", "provisioned"), req("b", "pendingApproval"), req("c", "granted"), req("d", "canceled"), req("e", "denied")];
    expect(pendingRequests(list).map((r) => r.id)).toEqual(["b", "c"]);
  });
});

describe("alignOutcomes", () => {
  it("keeps a complete answer as it is and fills a short one with errors, never with success", () => {
    const second = { ...input, target: roleTarget("rid-2", "au-2") };
    const answer = [outcome("provisioned")];
    expect(alignOutcomes([input], answer)).toEqual(answer);
    const aligned = alignOutcomes([input, second], answer);
    expect(aligned[1]).toMatchObject({ target: second.target, status: null, error: { code: "unexpectedResponse" } });
  });

  it("fails every input with the call's error", () => {
    const error = { code: "network", message: "Offline." } as const;
    const role = roleTarget("rid-2");
    expect(failAll([input, { ...input, target: role }], error).map((o) => [o.target, o.error])).toEqual([
      [input.target, error],
      [role, error],
    ]);
  });
});

describe("findActivation", () => {
  it("finds a target's activation whatever the case of its ids, and only that target's", () => {
    const berlin = activation({ id: "berlin", target: roleTarget("RID-UA", "AU-Berlin") });
    const tenant = activation({ id: "tenant", target: roleTarget("rid-ua") });
    const list = [tenant, berlin];
    expect(findActivation(list, roleTarget("rid-ua", "au-berlin"))?.id).toBe("berlin");
    expect(findActivation(list, roleTarget("rid-ua"))?.id).toBe("tenant");
    expect(findActivation(list, { plane: "group", groupId: "rid-ua", access: "member" })).toBeUndefined();
  });
});
