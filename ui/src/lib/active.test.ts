import { describe, expect, it } from "vitest";
import { deactivateBlockedReason, endingSoonNote, secondsLeft, sortActivations } from "./active";
import { activation } from "./testing/fixtures";

const START = Date.parse("2026-03-10T14:00:00Z");
const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe("deactivateBlockedReason", () => {
  const a = activation({ startDateTime: "2026-03-10T14:00:00Z" });

  it("blocks for the first 5 minutes and says from when, in the user's clock", () => {
    expect(deactivateBlockedReason(a, START + 30 * SECOND, "en-GB", "UTC")).toBe(
      "Can be deactivated at 14:05 (5 minutes after it started)",
    );
    expect(deactivateBlockedReason(a, START + 5 * MINUTE - 1, "en-GB", "Europe/Berlin")).toBe(
      "Can be deactivated at 15:05 (5 minutes after it started)",
    );
  });

  it("stops blocking exactly 5 minutes after the start", () => {
    expect(deactivateBlockedReason(a, START + 5 * MINUTE, "en-GB", "UTC")).toBeNull();
    expect(deactivateBlockedReason(a, START + 50 * MINUTE, "en-GB", "UTC")).toBeNull();
  });

  it("leaves an unreadable start to the service", () => {
    expect(deactivateBlockedReason(activation({ startDateTime: "" }), START, "en-GB", "UTC")).toBeNull();
  });
});

describe("secondsLeft", () => {
  it("counts down to the end and stops at zero; a permanent one has none", () => {
    const a = activation({ endDateTime: "2026-03-10T16:00:00Z" });
    expect(secondsLeft(a, START)).toBe(2 * 3600);
    expect(secondsLeft(a, START + 3 * 3600 * SECOND)).toBe(0);
    expect(secondsLeft(activation({ endDateTime: null }), START)).toBeNull();
    // A clock reading from before the start never shows more than was granted.
    const started = activation({ startDateTime: "2026-03-10T14:00:00Z", endDateTime: "2026-03-10T16:00:00Z" });
    expect(secondsLeft(started, START - 900)).toBe(2 * 3600);
  });
});

describe("sortActivations", () => {
  it("puts what ends soonest first and permanent ones last", () => {
    const list = [
      activation({ id: "perm", endDateTime: null }),
      activation({ id: "late", endDateTime: "2026-03-10T18:00:00Z" }),
      activation({ id: "soon", endDateTime: "2026-03-10T14:30:00Z" }),
    ];
    expect(sortActivations(list).map((a) => a.id)).toEqual(["soon", "late", "perm"]);
  });
});

describe("endingSoonNote", () => {
  const end = Date.parse("2026-03-10T14:00:00Z");
  it("says nothing before the last 15 minutes, nor for permanent activations", () => {
    expect(endingSoonNote(activation(), end - 16 * 60_000)).toBeNull();
    expect(endingSoonNote(activation({ endDateTime: null }), end)).toBeNull();
  });

  it("explains in the last minutes that PIM cannot extend, and what it offers instead", () => {
    const note = endingSoonNote(activation(), end - 15 * 60_000);
    expect(note).toContain("can't extend");
    expect(note).toContain("Activate is offered again");
    expect(endingSoonNote(activation(), end - 60_000, 30)).toBeNull();
  });
});
