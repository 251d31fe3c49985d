import { describe, expect, it } from "vitest";
import type { PimRequest } from "./bindings/PimRequest";
import { summarize } from "./summary";
import { activation, eligibility, roleEligibility } from "./testing/fixtures";

describe("summarize", () => {
  it("counts what loaded by plane, and only waiting requests", () => {
    const requests = [{ status: "pendingApproval" }, { status: "provisioned" }] as PimRequest[];
    expect(
      summarize(
        { status: "loaded", items: [eligibility("a"), eligibility("b"), roleEligibility("r")], unavailable: [] },
        { status: "loaded", items: [activation()], unavailable: [] },
        { status: "loaded", items: requests, unavailable: [] },
      ),
    ).toBe("Eligible for 2 groups and 1 role, 1 active, 1 request waiting.");
    const empty = { status: "loaded" as const, items: [], unavailable: [] };
    expect(summarize(empty, empty, empty)).toBe("Nothing eligible, nothing active, no requests waiting.");
  });

  it("says which part did not load, and which plane could not be listed", () => {
    const failed = { status: "failed", error: { code: "network", message: "Offline." } } as const;
    const noRoles = { plane: "directoryRole", error: { code: "forbidden", message: "No." } } as const;
    expect(summarize(failed, { status: "loaded", items: [], unavailable: [noRoles] }, failed)).toBe(
      "What you are eligible for did not load, nothing active, your requests did not load. Directory roles could not be listed.",
    );
  });
});
