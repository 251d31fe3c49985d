import { describe, expect, it } from "vitest";
import type { GroupAccess } from "./bindings/GroupAccess";
import type { GroupEligibility } from "./bindings/GroupEligibility";
import { accessLabel, activityByEligibility, groupLabel, hasName, sortGroups } from "./groups";
import { NO_REQUIREMENTS } from "./testing/fixtures";

function group(id: string, groupName: string | null, access: GroupAccess = "member"): GroupEligibility {
  return {
    id,
    groupId: `gid-${id}`,
    groupName,
    groupDescription: null,
    access,
    memberType: "Direct",
    startDateTime: null,
    endDateTime: null,
    requirements: NO_REQUIREMENTS,
  };
}

describe("groupLabel", () => {
  it("uses the name, or the group id when there is none", () => {
    expect(groupLabel(group("1", "Prod DB Admins"))).toBe("Prod DB Admins");
    expect(groupLabel(group("2", null))).toBe("gid-2");
    expect(groupLabel(group("3", "  "))).toBe("gid-3");
    expect(hasName(group("1", "Prod DB Admins"))).toBe(true);
    expect(hasName(group("3", "  "))).toBe(false);
  });
});

describe("accessLabel", () => {
  it("labels every access kind, and an unexpected one as Unknown", () => {
    expect(accessLabel("member")).toBe("Member");
    expect(accessLabel("owner")).toBe("Owner");
    expect(accessLabel("unknown")).toBe("Unknown");
    expect(accessLabel("toString" as GroupAccess)).toBe("Unknown");
  });
});

describe("sortGroups", () => {
  it("sorts by name ignoring case, member before owner of the same group, without mutating", () => {
    const input = [
      group("a", "platform engineers", "owner"),
      group("b", "Finance Readers"),
      group("c", "Platform Engineers", "member"),
      group("d", null),
      group("e", "Group 10"),
      group("f", "Group 9"),
    ];
    const sorted = sortGroups(input).map((g) => `${groupLabel(g)}/${g.access}`);
    expect(sorted).toEqual([
      "Finance Readers/member",
      "gid-d/member",
      "Group 9/member",
      "Group 10/member",
      "Platform Engineers/member",
      "platform engineers/owner",
    ]);
    expect(input[0]?.id).toBe("a");
  });
});

describe("activityByEligibility", () => {
  it("marks eligibilities that are active or have a waiting request, and no others", () => {
    const base = { groupDescription: null, memberType: "Direct", startDateTime: null, endDateTime: null };
    const requirements = {
      known: true, maxDurationMinutes: 60, justification: false, ticket: false, mfa: false,
      authenticationContext: null, approval: false,
    };
    const eligibility = (id: string, groupId: string, access: "member" | "owner") => ({
      ...base, id, groupId, groupName: id, access, requirements,
    });
    const list = [eligibility("a", "G1", "member"), eligibility("b", "g1", "owner"), eligibility("c", "g2", "member"), eligibility("d", "g3", "member")];
    const activity = activityByEligibility(
      list,
      [{ groupId: "g1", access: "member" }],
      [
        { groupId: "g2", access: "member", action: "selfActivate", status: "pendingApproval" },
        { groupId: "g3", access: "member", action: "selfActivate", status: "canceled" },
      ],
    );
    expect([...activity.entries()]).toEqual([["a", "active"], ["c", "requested"]]);
  });
});
