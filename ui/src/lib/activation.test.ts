import { describe, expect, it } from "vitest";
import {
  buildInputs,
  defaultMinutes,
  durationPresets,
  parseLocalDateTime,
  parseMinutes,
  toLocalInputValue,
  toRfc3339,
  validateDraft,
  type ActivationDraft,
} from "./activation";
import { selectionRules } from "./requirements";
import { eligibility, roleEligibility, roleTarget } from "./testing/fixtures";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const MINUTE = 60_000;

const draft = (overrides: Partial<ActivationDraft> = {}): ActivationDraft => ({
  minutes: "60",
  justification: "",
  ticketNumber: "",
  ticketSystem: "",
  startAt: "",
  ...overrides,
});

const db = eligibility("db", {
  name: "Prod DB Admins",
  requirements: { maxDurationMinutes: 240, justification: true, ticket: true, approval: true },
});
const pay = eligibility("pay", { name: "Payments", requirements: { maxDurationMinutes: 60, justification: true, mfa: true } });
const open = eligibility("open", { name: "On-call", requirements: { maxDurationMinutes: 480 } });
const unknown = eligibility("unk", { name: "Finance", requirements: { known: false } });

describe("durationPresets", () => {
  it("offers 30 min to 4 h and Max, disabling what is above the smallest maximum", () => {
    const presets = durationPresets(selectionRules([db, pay]).maxMinutes);
    expect(presets.map((p) => [p.label, p.minutes, p.disabled])).toEqual([
      ["30 min", 30, false],
      ["1 h", 60, false],
      ["2 h", 120, true],
      ["4 h", 240, true],
      ["Max", 60, false],
    ]);
  });

  it("enables everything up to a 4 h maximum, where Max equals 4 h", () => {
    const presets = durationPresets(240);
    expect(presets.every((p) => !p.disabled)).toBe(true);
    expect(presets.at(-1)).toMatchObject({ isMax: true, minutes: 240 });
  });

  it("disables only Max when no maximum is known", () => {
    const presets = durationPresets(null);
    expect(presets.filter((p) => p.disabled).map((p) => p.label)).toEqual(["Max"]);
  });
});

describe("defaultMinutes", () => {
  it("starts at 1 h, or at the maximum when that is shorter", () => {
    expect(defaultMinutes(null)).toBe(60);
    expect(defaultMinutes(240)).toBe(60);
    expect(defaultMinutes(240, 120)).toBe(120);
    expect(defaultMinutes(90, 120)).toBe(90);
    expect(defaultMinutes(null, 30)).toBe(30);
    expect(defaultMinutes(45)).toBe(45);
  });
});

describe("parseMinutes", () => {
  it("reads whole numbers only", () => {
    expect(parseMinutes(" 90 ")).toBe(90);
    expect(parseMinutes("0")).toBe(0);
    expect(parseMinutes("1.5")).toBeNull();
    expect(parseMinutes("-5")).toBeNull();
    expect(parseMinutes("")).toBeNull();
    expect(parseMinutes("1e3")).toBeNull();
  });
});

describe("validateDraft", () => {
  it("accepts a complete draft", () => {
    const rules = selectionRules([db]);
    expect(validateDraft(draft({ justification: "Fix INC-1", ticketNumber: "INC-1" }), rules, NOW)).toEqual({});
  });

  it("keeps the duration between 1 minute and the smallest maximum of a bulk selection", () => {
    const rules = selectionRules([db, pay, open]);
    const ok = { justification: "x", ticketNumber: "T-1" };
    expect(validateDraft(draft({ ...ok, minutes: "60" }), rules, NOW).duration).toBeUndefined();
    expect(validateDraft(draft({ ...ok, minutes: "61" }), rules, NOW).duration).toBe(
      "Choose 60 minutes (1 h) or less; Payments allows no more.",
    );
    expect(validateDraft(draft({ ...ok, minutes: "0" }), rules, NOW).duration).toBe("The duration must be at least 1 minute.");
    expect(validateDraft(draft({ ...ok, minutes: "" }), rules, NOW).duration).toBe("Enter the duration in whole minutes.");
    expect(validateDraft(draft({ ...ok, minutes: "2.5" }), rules, NOW).duration).toBe("Enter the duration in whole minutes.");
  });

  it("still caps at PIM's 24 h when no selected policy states a maximum", () => {
    const rules = selectionRules([unknown]);
    expect(validateDraft(draft({ minutes: "1440" }), rules, NOW)).toEqual({});
    expect(validateDraft(draft({ minutes: "1441" }), rules, NOW).duration).toBe(
      "Choose 1440 minutes (24 h) or less; PIM allows no more.",
    );
  });

  it("requires a justification and a ticket when any selected policy does, naming which", () => {
    const errors = validateDraft(draft({ justification: "   " }), selectionRules([db, open]), NOW);
    expect(errors.justification).toBe("Enter a justification; Prod DB Admins requires one.");
    expect(errors.ticketNumber).toBe("Enter a ticket number; Prod DB Admins requires one.");
    expect(validateDraft(draft(), selectionRules([db, pay]), NOW).justification).toBe(
      "Enter a justification; Prod DB Admins and Payments require one.",
    );
    expect(validateDraft(draft(), selectionRules([open, unknown]), NOW)).toEqual({});
  });

  it("takes a scheduled start only in the future", () => {
    const rules = selectionRules([open]);
    const local = (ms: number) => toLocalInputValue(ms);
    expect(validateDraft(draft({ startAt: local(NOW + 60 * MINUTE) }), rules, NOW)).toEqual({});
    expect(validateDraft(draft({ startAt: local(NOW - 60 * MINUTE) }), rules, NOW).startAt).toBe(
      "Pick a time in the future, or leave it empty to start now.",
    );
    expect(validateDraft(draft({ startAt: "2026-02-31T10:00" }), rules, NOW).startAt).toBe(
      "Enter a date and time, or leave it empty to start now.",
    );
  });
});

describe("dates from a datetime-local input", () => {
  it("reads the value in the local time zone and sends RFC 3339 in UTC", () => {
    const ms = parseLocalDateTime("2026-03-11T09:30");
    expect(ms).toBe(new Date(2026, 2, 11, 9, 30).getTime());
    expect(toRfc3339(ms ?? 0)).toBe(new Date(2026, 2, 11, 9, 30).toISOString().replace(".000Z", "Z"));
    expect(toRfc3339(Date.parse("2026-03-10T12:00:00Z"))).toBe("2026-03-10T12:00:00Z");
  });

  it("round-trips through the input's value format", () => {
    const ms = new Date(2026, 11, 31, 23, 59).getTime();
    expect(toLocalInputValue(ms)).toBe("2026-12-31T23:59");
    expect(parseLocalDateTime(toLocalInputValue(ms))).toBe(ms);
  });

  it("rejects what is not a date and time", () => {
    expect(parseLocalDateTime("tomorrow")).toBeNull();
    expect(parseLocalDateTime("2026-13-01T10:00")).toBeNull();
  });
});

describe("buildInputs", () => {
  it("sends one input per selected item with its target, trimmed, with empty fields as null", () => {
    const userAdmin = roleEligibility("ua", { target: roleTarget("rid-ua", "au-berlin"), scopeName: "Berlin office" });
    const selection = [db, open, userAdmin];
    const inputs = buildInputs(
      selection,
      draft({ minutes: " 45 ", justification: "  Fix INC-7 ", ticketNumber: " INC-7 ", ticketSystem: "" }),
      selectionRules(selection),
    );
    expect(inputs).toEqual([
      { target: db.target, durationMinutes: 45, justification: "Fix INC-7", ticketNumber: "INC-7", ticketSystem: null, startAt: null },
      { target: open.target, durationMinutes: 45, justification: "Fix INC-7", ticketNumber: "INC-7", ticketSystem: null, startAt: null },
      {
        target: { plane: "directoryRole", roleDefinitionId: "rid-ua", directoryScopeId: "/administrativeUnits/au-berlin" },
        durationMinutes: 45,
        justification: "Fix INC-7",
        ticketNumber: "INC-7",
        ticketSystem: null,
        startAt: null,
      },
    ]);
  });

  it("leaves out ticket fields the form did not ask for, and converts the start", () => {
    const start = new Date(2026, 2, 11, 9, 0).getTime();
    const [input] = buildInputs([open], draft({ ticketNumber: "stale", startAt: "2026-03-11T09:00" }), selectionRules([open]));
    expect(input).toMatchObject({ justification: null, ticketNumber: null, ticketSystem: null, startAt: toRfc3339(start) });
  });
});
