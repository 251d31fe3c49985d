import { describe, expect, it } from "vitest";
import { listNames, requirementBadges, selectionRules } from "./requirements";
import { eligibility, requirements, roleEligibility, roleTarget } from "./testing/fixtures";

describe("requirementBadges", () => {
  it("shows every requirement in a fixed order, ending with the maximum duration", () => {
    const badges = requirementBadges(
      requirements({
        justification: true,
        ticket: true,
        mfa: true,
        approval: true,
        authenticationContext: "c1",
        maxDurationMinutes: 240,
      }),
    );
    expect(badges.map((b) => [b.kind, b.label])).toEqual([
      ["justification", "Justification"],
      ["ticket", "Ticket"],
      ["mfa", "MFA"],
      ["approval", "Approval"],
      ["authContext", "Auth context"],
      ["maxDuration", "max 4 h"],
    ]);
    expect(badges.find((b) => b.kind === "authContext")?.description).toContain("c1");
  });

  it("shows nothing for a policy that asks for nothing and states no maximum", () => {
    expect(requirementBadges(requirements())).toEqual([]);
  });

  it("says only 'requirements unknown' when the policy could not be read, whatever else it holds", () => {
    const badges = requirementBadges(requirements({ known: false, justification: true, maxDurationMinutes: 60 }));
    expect(badges.map((b) => [b.kind, b.label])).toEqual([["unknown", "requirements unknown"]]);
  });

  it("words odd maximums in hours and minutes", () => {
    expect(requirementBadges(requirements({ maxDurationMinutes: 90 }))[0]?.label).toBe("max 1 h 30 min");
  });
});

describe("selectionRules", () => {
  const db = eligibility("db", { name: "Prod DB", requirements: { maxDurationMinutes: 240, justification: true, ticket: true } });
  const pay = eligibility("pay", { name: "Payments", requirements: { maxDurationMinutes: 60, justification: true } });
  const open = eligibility("open", { name: "On-call", requirements: { maxDurationMinutes: 480 } });
  const unknown = eligibility("unk", { name: "Finance", requirements: { known: false, maxDurationMinutes: 15, justification: true } });

  it("caps a bulk selection at the smallest stated maximum and says who sets it", () => {
    const rules = selectionRules([db, pay, open]);
    expect(rules.maxMinutes).toBe(60);
    expect(rules.maxSetBy).toEqual(["Payments"]);
  });

  it("asks for justification and ticket when any selected policy needs them", () => {
    const rules = selectionRules([db, pay, open]);
    expect(rules.justificationFor).toEqual(["Prod DB", "Payments"]);
    expect(rules.ticketFor).toEqual(["Prod DB"]);
    expect(selectionRules([open]).justificationFor).toEqual([]);
  });

  it("names a role by its scope when it applies to an administrative unit", () => {
    const berlin = roleEligibility("ua", {
      name: "User Administrator",
      target: roleTarget("rid-ua", "au-berlin"),
      scopeName: "Berlin office",
      requirements: { maxDurationMinutes: 60, justification: true },
    });
    const reader = roleEligibility("gr", { name: "Global Reader", requirements: { maxDurationMinutes: 480, justification: true } });
    const rules = selectionRules([berlin, reader, db]);
    expect(rules.maxSetBy).toEqual(["User Administrator · Berlin office"]);
    expect(rules.justificationFor).toEqual(["User Administrator · Berlin office", "Global Reader", "Prod DB"]);
  });

  it("ignores what an unreadable policy claims, but notes that one is unknown", () => {
    const rules = selectionRules([open, unknown]);
    expect(rules.maxMinutes).toBe(480);
    expect(rules.justificationFor).toEqual([]);
    expect(rules.anyUnknown).toBe(true);
    expect(selectionRules([unknown]).maxMinutes).toBeNull();
  });
});

describe("listNames", () => {
  it("names one or two, and counts the rest", () => {
    expect(listNames(["A"])).toBe("A");
    expect(listNames(["A", "B"])).toBe("A and B");
    expect(listNames(["A", "B", "C", "D"])).toBe("A, B and 2 more");
  });
});
