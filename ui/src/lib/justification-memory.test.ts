import { describe, expect, it } from "vitest";
import type { Target } from "./bindings/Target";
import { createJustificationMemory, type KeyValueStore } from "./justification-memory";
import { roleTarget } from "./testing/fixtures";

function mapStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

const item = (target: Target) => ({ target });
const db = item({ plane: "group", groupId: "g-db", access: "member" });
const dbOwner = item({ plane: "group", groupId: "g-db", access: "owner" });
const pay = item({ plane: "group", groupId: "g-pay", access: "member" });
const userAdminBerlin = item(roleTarget("fe930be7-5e62-47db-91af-98c3a49a38b1", "au-berlin"));
const userAdminTenant = item(roleTarget("fe930be7-5e62-47db-91af-98c3a49a38b1"));

describe("justification memory", () => {
  it("recalls the last justification per target: group access and role scope each count", () => {
    const memory = createJustificationMemory(mapStore());
    memory.remember([db], "Fix INC-1", 1);
    memory.remember([db], "  Fix INC-2  ", 2);
    memory.remember([userAdminBerlin], "Reset a Berlin password", 3);
    expect(memory.recall([db])).toBe("Fix INC-2");
    expect(memory.recall([dbOwner])).toBe("");
    expect(memory.recall([userAdminBerlin])).toBe("Reset a Berlin password");
    expect(memory.recall([userAdminTenant])).toBe("");
  });

  it("finds a target again whatever the case of its ids", () => {
    const memory = createJustificationMemory(mapStore());
    memory.remember([item(roleTarget("FE930BE7-5E62-47DB-91AF-98C3A49A38B1", "AU-BERLIN"))], "Upper", 1);
    expect(memory.recall([userAdminBerlin])).toBe("Upper");
  });

  it("prefills a bulk selection with the newest justification among its targets", () => {
    const memory = createJustificationMemory(mapStore());
    memory.remember([pay], "Payments outage", 5);
    memory.remember([db, userAdminBerlin], "Older DB work", 3);
    expect(memory.recall([db, pay])).toBe("Payments outage");
    expect(memory.recall([userAdminBerlin, db])).toBe("Older DB work");
  });

  it("still recalls what an earlier version remembered for a group", () => {
    const store = mapStore();
    store.map.set("latchkey.justification.g-db.member", JSON.stringify({ text: "From before roles", at: 1 }));
    expect(createJustificationMemory(store).recall([db])).toBe("From before roles");
  });

  it("does not forget a justification because a blank one was sent", () => {
    const memory = createJustificationMemory(mapStore());
    memory.remember([db], "Keep me", 1);
    memory.remember([db], "   ", 2);
    expect(memory.recall([db])).toBe("Keep me");
  });

  it("survives broken, foreign or failing storage", () => {
    const store = mapStore();
    store.map.set("latchkey.justification.group|g-db|member", "{not json");
    expect(createJustificationMemory(store).recall([db])).toBe("");
    const throwing: KeyValueStore = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("quota");
      },
    };
    const memory = createJustificationMemory(throwing);
    expect(() => memory.remember([db], "x", 1)).not.toThrow();
    expect(memory.recall([db])).toBe("");
    expect(createJustificationMemory(null).recall([db])).toBe("");
  });
});
