import { describe, expect, it } from "vitest";
import type { ApprovalItem } from "./bindings/ApprovalItem";
import type { DecisionOutcome } from "./bindings/DecisionOutcome";
import { alignDecisions, decisionFate, decisionFor, describeDecision, personName, requestLabel, startWords, ticketWords } from "./approvals";

const item = (overrides: Partial<ApprovalItem> = {}): ApprovalItem => ({
  approvalId: "a-1",
  requestId: "a-1",
  target: { plane: "group", groupId: "g-1", access: "member" },
  name: "Prod DB Admins",
  scopeName: null,
  requester: { id: "u-1", displayName: "Ben Tanaka", mail: "ben@fabrikam.example" },
  createdDateTime: "2026-03-10T11:00:00Z",
  startDateTime: null,
  durationMinutes: 120,
  justification: "Restore drill",
  ticketNumber: "CHG-12",
  ticketSystem: "ServiceNow",
  expiresDateTime: "2026-03-11T11:00:00Z",
  ...overrides,
});

const outcome = (overrides: Partial<DecisionOutcome>): DecisionOutcome => ({
  plane: "group",
  approvalId: "a-1",
  approve: true,
  decided: true,
  error: null,
  ...overrides,
});

describe("the inbox in words", () => {
  it("names the requester by display name, then mail, then id", () => {
    expect(personName({ id: "u", displayName: "Ben Tanaka", mail: "b@x" })).toBe("Ben Tanaka");
    expect(personName({ id: "u", displayName: " ", mail: "b@x" })).toBe("b@x");
    expect(personName({ id: "u", displayName: null, mail: null })).toBe("u");
    expect(requestLabel(item())).toBe("Ben Tanaka's request for Prod DB Admins (member)");
  });

  it("says the ticket with its system, and the start as 'when approved' when none was asked", () => {
    expect(ticketWords(item())).toBe("ServiceNow CHG-12");
    expect(ticketWords(item({ ticketSystem: null }))).toBe("CHG-12");
    expect(ticketWords(item({ ticketNumber: "" }))).toBeNull();
    expect(startWords(item(), Date.parse("2026-03-10T12:00:00Z"))).toBe("when approved");
    expect(startWords(item({ startDateTime: "2026-03-12T09:00:00Z" }), Date.parse("2026-03-10T12:00:00Z"))).not.toBe("when approved");
  });

  it("sends the item's plane and approval id with a trimmed reason", () => {
    expect(decisionFor(item(), false, "  no ticket  ")).toEqual({ plane: "group", approvalId: "a-1", approve: false, justification: "no ticket" });
  });

  it("treats alreadyDecided as gone, not failed, and keeps other errors in the row", () => {
    expect(decisionFate(outcome({}))).toBe("done");
    const gone = outcome({ decided: false, error: { code: "alreadyDecided", message: "Another approver decided first." } });
    expect(decisionFate(gone)).toBe("gone");
    expect(describeDecision(gone)).toMatchObject({ outcome: "alreadyDecided", tone: "neutral", detail: "Another approver decided first." });
    expect(decisionFate(outcome({ decided: false, error: { code: "invalidInput", message: "Give a reason." } }))).toBe("failed");
    expect(describeDecision(outcome({ approve: false })).outcome).toBe("denied");
  });

  it("fills a missing answer with an error instead of leaving it busy", () => {
    const inputs = [decisionFor(item(), true, "ok"), decisionFor(item({ approvalId: "a-2" }), true, "ok")];
    const aligned = alignDecisions(inputs, [outcome({})]);
    expect(aligned.map((o) => [o.approvalId, decisionFate(o)])).toEqual([["a-1", "done"], ["a-2", "failed"]]);
  });
});
