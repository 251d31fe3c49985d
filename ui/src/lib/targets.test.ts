import { describe, expect, it } from "vitest";
import type { GroupAccess } from "./bindings/GroupAccess";
import type { Target } from "./bindings/Target";
import {
  accessLabel,
  activityByTarget,
  countWords,
  describedLabel,
  hasName,
  sortEligibilities,
  targetDetail,
  targetKey,
  targetLabel,
  targetName,
} from "./targets";
import { eligibility, roleEligibility, roleTarget } from "./testing/fixtures";

const group = (id: string, name: string | null, access: GroupAccess = "member") =>
  eligibility(id, { name, target: { plane: "group", groupId: `gid-${id}`, access } });
const berlin = roleEligibility("ua", {
  name: "User Administrator",
  target: roleTarget("fe930be7-5e62-47db-91af-98c3a49a38b1", "au-berlin"),
  scopeName: "Berlin office",
});
const reader = roleEligibility("gr", { name: "Global Reader" });

describe("targetKey", () => {
  it("matches Rust's Target::key: plane, lower-case ids, access or scope", () => {
    expect(targetKey({ plane: "group", groupId: "G-ABC", access: "owner" })).toBe("group|g-abc|owner");
    const role: Target = { plane: "directoryRole", roleDefinitionId: "F2EF992C", directoryScopeId: "/administrativeUnits/AU1" };
    expect(targetKey(role)).toBe("role|f2ef992c|/administrativeunits/au1");
    expect(targetKey(roleTarget("x"))).not.toBe(targetKey(roleTarget("x", "au")));
    expect(targetKey({ plane: "group", groupId: "x", access: "member" })).not.toBe(targetKey(roleTarget("x")));
  });
});

describe("labels", () => {
  it("uses the name, or the id when there is none", () => {
    expect(targetName(group("1", "Prod DB Admins"))).toBe("Prod DB Admins");
    expect(targetName(group("2", null))).toBe("gid-2");
    expect(targetName(group("3", "  "))).toBe("gid-3");
    expect(targetName(roleEligibility("r", { name: null }))).toBe("rid-r");
    expect(hasName(group("1", "Prod DB Admins"))).toBe(true);
    expect(hasName(group("3", "  "))).toBe(false);
  });

  it("says member or owner for a group and the scope for a role", () => {
    expect(targetDetail(group("1", "A", "owner"))).toBe("Owner");
    expect(targetDetail(berlin)).toBe("Berlin office");
    expect(targetDetail(reader)).toBe("Directory");
    // With no scope name from the service, the same words as Rust's fallback.
    expect(targetDetail({ ...berlin, scopeName: null })).toBe("Administrative unit au-berlin");
    expect(targetDetail({ ...reader, scopeName: null })).toBe("Directory");
  });

  it("reads naturally: the scope joins a role's name unless it is the whole directory", () => {
    expect(targetLabel(berlin)).toBe("User Administrator · Berlin office");
    expect(targetLabel(reader)).toBe("Global Reader");
    expect(targetLabel(group("1", "Prod DB Admins", "owner"))).toBe("Prod DB Admins");
    expect(describedLabel(group("1", "Prod DB Admins", "owner"))).toBe("Prod DB Admins (owner)");
    expect(describedLabel(berlin)).toBe("User Administrator (Berlin office)");
    expect(describedLabel(reader)).toBe("Global Reader (Directory)");
  });

  it("labels every access kind, and an unexpected one as Unknown", () => {
    expect(accessLabel("member")).toBe("Member");
    expect(accessLabel("owner")).toBe("Owner");
    expect(accessLabel("unknown")).toBe("Unknown");
    expect(accessLabel("toString" as GroupAccess)).toBe("Unknown");
  });

  it("counts by plane", () => {
    expect(countWords([group("a", "A"), group("b", "B")])).toBe("2 groups");
    expect(countWords([berlin])).toBe("1 role");
    expect(countWords([group("a", "A"), berlin, reader])).toBe("1 group and 2 roles");
  });
});

describe("sortEligibilities", () => {
  it("sorts groups and roles together by name ignoring case, member before owner, directory before a unit", () => {
    const tenantUserAdmin = roleEligibility("ua-all", { name: "User Administrator" });
    const input = [
      group("a", "platform engineers", "owner"),
      berlin,
      group("b", "Finance Readers"),
      reader,
      group("c", "Platform Engineers", "member"),
      group("d", null),
      tenantUserAdmin,
      group("e", "Group 10"),
      group("f", "Group 9"),
    ];
    const sorted = sortEligibilities(input).map((e) => `${targetName(e)}/${targetDetail(e)}`);
    expect(sorted).toEqual([
      "Finance Readers/Member",
      "gid-d/Member",
      "Global Reader/Directory",
      "Group 9/Member",
      "Group 10/Member",
      "Platform Engineers/Member",
      "platform engineers/Owner",
      "User Administrator/Directory",
      "User Administrator/Berlin office",
    ]);
    expect(input[0]?.id).toBe("a");
  });
});

describe("activityByTarget", () => {
  it("marks targets that are active or have a waiting request, on every plane, and no others", () => {
    const activity = activityByTarget(
      [{ target: { plane: "group", groupId: "G1", access: "member" } }, { target: roleTarget("RID-GR") }],
      [
        { target: { plane: "group", groupId: "g2", access: "member" }, action: "selfActivate", status: "pendingApproval" },
        { target: roleTarget("rid-ua", "au-berlin"), action: "selfActivate", status: "granted" },
        { target: { plane: "group", groupId: "g3", access: "member" }, action: "selfActivate", status: "canceled" },
        { target: roleTarget("rid-x"), action: "selfDeactivate", status: "pendingApproval" },
      ],
    );
    expect(Object.fromEntries(activity)).toEqual({
      "group|g1|member": "active",
      "role|rid-gr|/": "active",
      "group|g2|member": "requested",
      "role|rid-ua|/administrativeunits/au-berlin": "requested",
    });
  });
});
