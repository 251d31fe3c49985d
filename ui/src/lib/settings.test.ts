import { describe, expect, it } from "vitest";
import { defaultSettings, fromDraft, settingsProblem, toDraft } from "./settings";

describe("settings form rules", () => {
  it("round-trips the defaults through the draft", () => {
    expect(toDraft(defaultSettings()).leadMinutes).toBe("15, 5");
    expect(fromDraft(toDraft(defaultSettings()))).toEqual({ settings: defaultSettings() });
  });

  it("sorts lead times, drops repeats, and accepts no reminders at all", () => {
    const draft = { ...toDraft(defaultSettings()), leadMinutes: "5 30,5" };
    expect(fromDraft(draft)).toEqual({ settings: { ...defaultSettings(), leadMinutes: [30, 5] } });
    expect(fromDraft({ ...draft, leadMinutes: "" })).toEqual({ settings: { ...defaultSettings(), leadMinutes: [] } });
  });

  it("refuses what Rust would refuse, with a sentence", () => {
    const base = toDraft(defaultSettings());
    expect(fromDraft({ ...base, leadMinutes: "15, soon" })).toHaveProperty("problem");
    expect(fromDraft({ ...base, leadMinutes: "0" })).toEqual({
      problem: "A reminder time must be between 1 and 120 minutes before the end (0 is not).",
    });
    expect(fromDraft({ ...base, defaultDurationMinutes: "1.5" })).toEqual({
      problem: "Enter the default duration in whole minutes.",
    });
    expect(fromDraft({ ...base, defaultDurationMinutes: "2000" })).toHaveProperty("problem");
    expect(fromDraft({ ...base, approvalsPollSeconds: "5" })).toHaveProperty("problem");
    expect(settingsProblem({ ...defaultSettings(), leadMinutes: [1, 2, 3, 4, 5] })).toBe("Choose at most 4 reminder times.");
  });
});
