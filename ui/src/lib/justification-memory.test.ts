import { describe, expect, it } from "vitest";
import { createJustificationMemory, type KeyValueStore } from "./justification-memory";

function mapStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

const db = { groupId: "g-db", access: "member" as const };
const dbOwner = { groupId: "g-db", access: "owner" as const };
const pay = { groupId: "g-pay", access: "member" as const };

describe("justification memory", () => {
  it("recalls the last justification per group and access", () => {
    const memory = createJustificationMemory(mapStore());
    memory.remember([db], "Fix INC-1", 1);
    memory.remember([db], "  Fix INC-2  ", 2);
    expect(memory.recall([db])).toBe("Fix INC-2");
    expect(memory.recall([dbOwner])).toBe("");
  });

  it("prefills a bulk selection with the newest justification among its groups", () => {
    const memory = createJustificationMemory(mapStore());
    memory.remember([pay], "Payments outage", 5);
    memory.remember([db], "Older DB work", 3);
    expect(memory.recall([db, pay])).toBe("Payments outage");
  });

  it("does not forget a justification because a blank one was sent", () => {
    const memory = createJustificationMemory(mapStore());
    memory.remember([db], "Keep me", 1);
    memory.remember([db], "   ", 2);
    expect(memory.recall([db])).toBe("Keep me");
  });

  it("survives broken, foreign or failing storage", () => {
    const store = mapStore();
    store.map.set("latchkey.justification.g-db.member", "{not json");
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
