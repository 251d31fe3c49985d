// Rules for what is active now: time left, and when an early deactivation becomes possible.
import type { Activation } from "./bindings/Activation";
import { targetName } from "./targets";
import { formatClockTime, secondsUntil } from "./time";

/** PIM refuses a deactivation in the first five minutes after the activation started. */
export const DEACTIVATION_DELAY_MS = 5 * 60 * 1000;

/** When the activation may be deactivated (ms since the epoch); null for an unreadable start. */
export function deactivatableAt(activation: Activation): number | null {
  const start = Date.parse(activation.startDateTime);
  return Number.isNaN(start) ? null : start + DEACTIVATION_DELAY_MS;
}

/**
 * Why Deactivate is disabled right now, or null when it is not. An unreadable start does not
 * block: the service then has the last word.
 */
export function deactivateBlockedReason(
  activation: Activation,
  nowMs: number,
  locale?: string,
  timeZone?: string,
): string | null {
  const at = deactivatableAt(activation);
  if (at === null || nowMs >= at) {
    return null;
  }
  return `Can be deactivated at ${formatClockTime(at, nowMs, locale, timeZone)} (5 minutes after it started)`;
}

/**
 * Whole seconds left; null when it has no end (permanent). Never more than was granted: a clock
 * reading from just before the activation started (the shared clock ticks once a second) counts
 * from the start.
 */
export function secondsLeft(activation: Activation, nowMs: number): number | null {
  if (activation.endDateTime === null) {
    return null;
  }
  const start = Date.parse(activation.startDateTime);
  return secondsUntil(activation.endDateTime, Number.isNaN(start) ? nowMs : Math.max(nowMs, start));
}

/** Soonest end first; permanent ones last; then by name so the order is stable. */
export function sortActivations(activations: readonly Activation[]): Activation[] {
  const end = (a: Activation) => (a.endDateTime === null ? Infinity : Date.parse(a.endDateTime) || Infinity);
  return [...activations].sort(
    (a, b) => end(a) - end(b) || targetName(a).localeCompare(targetName(b)) || a.id.localeCompare(b.id),
  );
}
