// The activation form's rules: duration presets, validation, and the inputs it sends.
import type { ActivationInput } from "./bindings/ActivationInput";
import type { Eligibility } from "./bindings/Eligibility";
import { FALLBACK_MAX_MINUTES, listNames, type SelectionRules } from "./requirements";
import { formatMinutes } from "./time";

/** What the user typed, as typed. */
export interface ActivationDraft {
  minutes: string;
  justification: string;
  ticketNumber: string;
  ticketSystem: string;
  /** A `datetime-local` value ("2026-03-10T14:30"); empty means start now. */
  startAt: string;
}

export interface Preset {
  label: string;
  /** For "Max", the smallest stated maximum; null when no maximum is known. */
  minutes: number | null;
  isMax: boolean;
  disabled: boolean;
}

const PRESET_MINUTES = [30, 60, 120, 240] as const;

/** 30 min / 1 h / 2 h / 4 h / Max; a preset above the maximum is disabled, as is Max when none is known. */
export function durationPresets(maxMinutes: number | null): Preset[] {
  const fixed = PRESET_MINUTES.map((minutes) => ({
    label: formatMinutes(minutes),
    minutes,
    isMax: false,
    disabled: maxMinutes !== null && minutes > maxMinutes,
  }));
  return [...fixed, { label: "Max", minutes: maxMinutes, isMax: true, disabled: maxMinutes === null }];
}

/**
 * The duration a fresh form starts with: the default from Settings (1 h unless changed), or
 * less when the policy allows less.
 */
export function defaultMinutes(maxMinutes: number | null, preferred = 60): number {
  return maxMinutes === null ? preferred : Math.min(preferred, maxMinutes);
}

/** Whole minutes from what was typed; null unless it is a plain whole number. */
export function parseMinutes(text: string): number | null {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** A `datetime-local` value, read in the user's time zone, as ms since the epoch; null if unreadable. */
export function parseLocalDateTime(value: string): number | null {
  const m = LOCAL_DATE_TIME.exec(value.trim());
  if (m === null) {
    return null;
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map((part) => Number(part ?? 0)) as [
    number, number, number, number, number, number,
  ];
  const date = new Date(year, month - 1, day, hour, minute, second);
  // Reject 2026-02-31 and friends instead of silently rolling over.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) {
    return null;
  }
  return date.getTime();
}

/** RFC 3339 in UTC without fractions: "2026-03-10T14:30:00Z". */
export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A moment as a `datetime-local` value in the user's time zone (for the input's `min`). */
export function toLocalInputValue(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

export type Field = "duration" | "justification" | "ticketNumber" | "startAt";
export type FieldErrors = Partial<Record<Field, string>>;

/** The order errors are shown and focused in, which is the form's order. */
export const FIELD_ORDER: readonly Field[] = ["duration", "justification", "ticketNumber", "startAt"];

/** Whether the form should offer ticket fields: some policy needs them, or one could not be read. */
export function asksForTicket(rules: SelectionRules): boolean {
  return rules.ticketFor.length > 0 || rules.anyUnknown;
}

/** Every problem with the draft, by field; empty when it may be sent. */
export function validateDraft(draft: ActivationDraft, rules: SelectionRules, nowMs: number): FieldErrors {
  const errors: FieldErrors = {};
  const minutes = parseMinutes(draft.minutes);
  const cap = rules.maxMinutes ?? FALLBACK_MAX_MINUTES;
  if (minutes === null) {
    errors.duration = "Enter the duration in whole minutes.";
  } else if (minutes < 1) {
    errors.duration = "The duration must be at least 1 minute.";
  } else if (minutes > cap) {
    errors.duration =
      rules.maxMinutes === null
        ? `Choose ${cap} minutes (${formatMinutes(cap)}) or less; PIM allows no more.`
        : `Choose ${cap} minutes (${formatMinutes(cap)}) or less; ${listNames(rules.maxSetBy)} ${verb(rules.maxSetBy, "allows", "allow")} no more.`;
  }
  if (rules.justificationFor.length > 0 && draft.justification.trim() === "") {
    errors.justification = `Enter a justification; ${listNames(rules.justificationFor)} ${verb(rules.justificationFor, "requires", "require")} one.`;
  }
  if (rules.ticketFor.length > 0 && draft.ticketNumber.trim() === "") {
    errors.ticketNumber = `Enter a ticket number; ${listNames(rules.ticketFor)} ${verb(rules.ticketFor, "requires", "require")} one.`;
  }
  if (draft.startAt.trim() !== "") {
    const start = parseLocalDateTime(draft.startAt);
    if (start === null) {
      errors.startAt = "Enter a date and time, or leave it empty to start now.";
    } else if (start <= nowMs) {
      errors.startAt = "Pick a time in the future, or leave it empty to start now.";
    }
  }
  return errors;
}

function verb(names: readonly string[], one: string, many: string): string {
  return names.length === 1 ? one : many;
}

function optional(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

/** One input per selected eligibility, in selection order. Call only with a valid draft. */
export function buildInputs(
  selection: readonly Eligibility[],
  draft: ActivationDraft,
  rules: SelectionRules,
): ActivationInput[] {
  const start = draft.startAt.trim() === "" ? null : parseLocalDateTime(draft.startAt);
  const ticket = asksForTicket(rules);
  return selection.map((item) => ({
    target: item.target,
    durationMinutes: parseMinutes(draft.minutes) ?? 0,
    justification: optional(draft.justification),
    ticketNumber: ticket ? optional(draft.ticketNumber) : null,
    ticketSystem: ticket ? optional(draft.ticketSystem) : null,
    startAt: start === null ? null : toRfc3339(start),
  }));
}
