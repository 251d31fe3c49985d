import { describe, expect, it } from "vitest";
import { countByFilter, filterEligibilities } from "./eligible-filter";
import { targetName } from "./targets";
import { eligibility, roleEligibility, roleTarget } from "./testing/fixtures";

const items = [
  eligibility("db", { name: "Prod DB Admins", description: "Administrator on the production PostgreSQL fleet" }),
  eligibility("pe", { name: "Platform Engineers", target: { plane: "group", groupId: "gid-pe", access: "owner" } }),
  roleEligibility("gr", { name: "Global Reader" }),
  roleEligibility("ua", { name: "User Administrator", target: roleTarget("rid-ua", "au-berlin"), scopeName: "Berlin office" }),
];
const names = (plane: Parameters<typeof filterEligibilities>[1], query: string) =>
  filterEligibilities(items, plane, query).map(targetName);

describe("filterEligibilities", () => {
  it("narrows to one plane with a chip", () => {
    expect(names("all", "")).toEqual(["Prod DB Admins", "Platform Engineers", "Global Reader", "User Administrator"]);
    expect(names("group", "")).toEqual(["Prod DB Admins", "Platform Engineers"]);
    expect(names("directoryRole", "")).toEqual(["Global Reader", "User Administrator"]);
  });

  it("finds a role by its administrative unit's name, and a group by its description or access", () => {
    expect(names("all", "berlin")).toEqual(["User Administrator"]);
    expect(names("all", "postgresql")).toEqual(["Prod DB Admins"]);
    expect(names("all", "owner")).toEqual(["Platform Engineers"]);
    expect(names("all", "directory")).toEqual(["Global Reader"]);
  });

  it("needs every word, ignores case and spacing, and combines with the chip", () => {
    expect(names("all", "  ADMIN   berlin ")).toEqual(["User Administrator"]);
    expect(names("all", "admin")).toEqual(["Prod DB Admins", "User Administrator"]);
    expect(names("group", "berlin")).toEqual([]);
    expect(names("directoryRole", "prod")).toEqual([]);
  });

  it("counts each chip's rows", () => {
    expect(countByFilter(items)).toEqual({ all: 4, group: 2, directoryRole: 2, azureRole: 0 });
    const contributor = eligibility("az", {
      name: "Contributor",
      target: { plane: "azureRole", scope: "/subscriptions/s/resourceGroups/rg-dev", roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac" },
      scopeName: "rg-dev (resource group)",
    });
    expect(countByFilter([...items, contributor])).toEqual({ all: 5, group: 2, directoryRole: 2, azureRole: 1 });
    expect(filterEligibilities([...items, contributor], "all", "rg-dev").map(targetName)).toEqual(["Contributor"]);
  });
});
