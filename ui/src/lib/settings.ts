// The Settings view's rules: the defaults, parsing what was typed, and the same ranges Rust's
// `Settings::validated` enforces (so the form says what is wrong before anything is sent).
import type { Settings } from "./bindings/Settings";

export const MAX_LEAD_TIMES = 4;

/** Latchkey's defaults (as in crates/latchkey-core/src/settings.rs). */
export function defaultSettings(): Settings {
  return { leadMinutes: [15, 5], defaultDurationMinutes: 60, startAtLogin: false, approvalsPollSeconds: 60 };
}

/** Lead times sorted, most distant first, without repeats. */
export function normalisedLeads(leads: readonly number[]): number[] {
  return [...new Set(leads)].sort((a, b) => b - a);
}

const whole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** The first problem with `settings`, in the words Rust uses, or null. */
export function settingsProblem(settings: Settings): string | null {
  if (settings.leadMinutes.length > MAX_LEAD_TIMES) {
    return `Choose at most ${MAX_LEAD_TIMES} reminder times.`;
  }
  const bad = settings.leadMinutes.find((m) => !whole(m, 1, 120));
  if (bad !== undefined) {
    return `A reminder time must be between 1 and 120 minutes before the end (${bad} is not).`;
  }
  if (!whole(settings.defaultDurationMinutes, 5, 1440)) {
    return "The default duration must be between 5 minutes and 24 hours (1440 minutes).";
  }
  if (!whole(settings.approvalsPollSeconds, 15, 3600)) {
    return "Check for approvals at most every 15 seconds and at least once an hour (3600 seconds).";
  }
  return null;
}

/** What the form holds: text as typed. */
export interface SettingsDraft {
  leadMinutes: string;
  defaultDurationMinutes: string;
  startAtLogin: boolean;
  approvalsPollSeconds: string;
}

export function toDraft(settings: Settings): SettingsDraft {
  return {
    leadMinutes: settings.leadMinutes.join(", "),
    defaultDurationMinutes: String(settings.defaultDurationMinutes),
    startAtLogin: settings.startAtLogin,
    approvalsPollSeconds: String(settings.approvalsPollSeconds),
  };
}

const number = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN);

/** The settings a draft stands for, or the problem with it. */
export function fromDraft(draft: SettingsDraft): { settings: Settings } | { problem: string } {
  const parts = draft.leadMinutes.split(/[,\s]+/).filter((p) => p !== "");
  const leads = parts.map(number);
  if (leads.some(Number.isNaN)) {
    return { problem: "Enter the reminder times as whole minutes separated by commas, such as 15, 5." };
  }
  const settings: Settings = {
    leadMinutes: normalisedLeads(leads),
    defaultDurationMinutes: number(draft.defaultDurationMinutes),
    startAtLogin: draft.startAtLogin,
    approvalsPollSeconds: number(draft.approvalsPollSeconds),
  };
  if (Number.isNaN(settings.defaultDurationMinutes)) {
    return { problem: "Enter the default duration in whole minutes." };
  }
  if (Number.isNaN(settings.approvalsPollSeconds)) {
    return { problem: "Enter how often to check for approvals in whole seconds." };
  }
  const problem = settingsProblem(settings);
  return problem === null ? { settings } : { problem };
}
