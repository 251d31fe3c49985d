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

/** How close to its end an activation counts as ending soon: the default first reminder. */
export const ENDING_SOON_SECONDS = 15 * 60;

/**
 * What to say about extending an activation in its last minutes, or null before then (and for
 * permanent ones). PIM has no extension of a running activation: `selfExtend` does not extend it,
 * and a second `selfActivate` while it runs — even one scheduled to start at its end — is refused
 * with `RoleAssignmentExists`. The honest offer is to activate again once it has ended.
 */
export function endingSoonNote(activation: Activation, nowMs: number, withinSeconds = ENDING_SOON_SECONDS): string | null {
  const left = secondsLeft(activation, nowMs);
  if (left === null || left > withinSeconds) {
    return null;
  }
  return "Ends soon. PIM can't extend a running activation; once it ends, Activate is offered again with your last justification.";
}
