import { describe, expect, it } from "vitest";
import type { PimRequest } from "./bindings/PimRequest";
import { recentlyRefused, refusalHeadline, refusalReason } from "./decided";

const NOW = Date.parse("2026-03-02T12:00:00Z");
const request = (id: string, status: PimRequest["status"], hoursAgo: number, extra: Partial<PimRequest> = {}): PimRequest => ({
  id,
  target: { plane: "group", groupId: "g1", access: "member" },
  name: "Prod DB Admins",
  scopeName: null,
  action: "selfActivate",
  status,
  createdDateTime: new Date(NOW - hoursAgo * 3_600_000).toISOString(),
  startDateTime: null,
  durationMinutes: 60,
  justification: null,
  ticketNumber: null,
  ...extra,
});

describe("refused requests", () => {
  it("lists denied and expired activation requests of the last week, newest first", () => {
    const list = recentlyRefused(
      [
        request("old", "denied", 24 * 8),
        request("a", "denied", 3),
        request("b", "timedOut", 1),
        request("c", "provisioned", 0),
        request("d", "denied", 2, { action: "selfDeactivate" }),
      ],
      NOW,
    );
    expect(list.map((r) => r.id)).toEqual(["b", "a"]);
  });

  it("says why: the approver's reason, that none could be read, or the expiry", () => {
    expect(refusalReason(request("a", "denied", 1, { decisionReason: " Not during the freeze " }))).toBe("Not during the freeze");
    expect(refusalReason(request("a", "denied", 1))).toBe("The approver gave no reason Latchkey could read.");
    expect(refusalReason(request("b", "timedOut", 1))).toBeNull();
    expect(refusalHeadline(request("b", "timedOut", 1))).toBe("Expired: nobody decided within 24 hours");
    expect(refusalHeadline(request("a", "denied", 1))).toBe("Denied");
  });
});
