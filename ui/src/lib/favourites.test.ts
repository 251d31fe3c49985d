import { describe, expect, it } from "vitest";
import { favouriteKeys, pinFavourites, toggleFavourite } from "./favourites";
import { eligibility } from "./testing/fixtures";

describe("favourites", () => {
  const a = eligibility("a", { name: "Alpha", target: { plane: "group", groupId: "GA", access: "member" } });
  const b = eligibility("b", { name: "Beta" });
  const c = eligibility("c", { name: "Gamma", target: { plane: "group", groupId: "gc", access: "owner" } });

  it("pins starred items on top and keeps the rest in order", () => {
    const starred = toggleFavourite([], c, true);
    expect(pinFavourites([a, b, c], favouriteKeys(starred)).map((e) => e.id)).toEqual(["c", "a", "b"]);
  });

  it("matches by target key, whatever the id's case, and unstars", () => {
    const starred = toggleFavourite(toggleFavourite([], a, true), b, true);
    expect(starred.map((f) => f.name)).toEqual(["Alpha", "Beta"]);
    expect(toggleFavourite([], a, true, " Routine work ")[0]?.justification).toBe("Routine work");
    expect(toggleFavourite([], a, true, "  ")[0]?.justification).toBeNull();
    const upper = eligibility("other", { target: { plane: "group", groupId: "ga", access: "member" } });
    expect(favouriteKeys(starred).size).toBe(2);
    expect(toggleFavourite(starred, upper, false).map((f) => f.name)).toEqual(["Beta"]);
  });
});
