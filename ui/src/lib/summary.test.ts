import { describe, expect, it } from "vitest";
import type { GroupRequest } from "./bindings/GroupRequest";
import { summarize } from "./summary";
import { activation, eligibility } from "./testing/fixtures";

describe("summarize", () => {
  it("counts what loaded, and only waiting requests", () => {
    const requests = [{ status: "pendingApproval" }, { status: "provisioned" }] as GroupRequest[];
    expect(
      summarize(
        { status: "loaded", items: [eligibility("a"), eligibility("b")] },
        { status: "loaded", items: [activation()] },
        { status: "loaded", items: requests },
      ),
    ).toBe("2 eligible groups, 1 active, 1 request waiting.");
    expect(summarize({ status: "loaded", items: [] }, { status: "loaded", items: [] }, { status: "loaded", items: [] })).toBe(
      "No eligible groups, nothing active, no requests waiting.",
    );
  });

  it("says which part did not load", () => {
    const failed = { status: "failed", error: { code: "network", message: "Offline." } } as const;
    expect(summarize(failed, { status: "loaded", items: [] }, failed)).toBe(
      "Your eligible groups did not load, nothing active, your requests did not load.",
    );
  });
});
