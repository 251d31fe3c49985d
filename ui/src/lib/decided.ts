// My requests that an approver (or the 24-hour window) answered with a no: denied, with the
// approver's reason when the service let us read it, or timed out. Shown under "Requests" so the
// requester learns what became of them without opening the portal.
import type { PimRequest } from "./bindings/PimRequest";

/** How far back the requester's "Not granted" list looks. */
const RECENT_MS = 7 * 24 * 60 * 60_000;
const MAX_SHOWN = 5;

/** Denied and timed-out activation requests of the last week, newest first. */
export function recentlyRefused(requests: readonly PimRequest[], nowMs: number): PimRequest[] {
  return requests
    .filter((r) => r.action.toLowerCase() === "selfactivate" && (r.status === "denied" || r.status === "timedOut"))
    .filter((r) => nowMs - Date.parse(r.createdDateTime) <= RECENT_MS)
    .sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime))
    .slice(0, MAX_SHOWN);
}

/** The headline of a refused request. */
export function refusalHeadline(request: PimRequest): string {
  return request.status === "timedOut" ? "Expired: nobody decided within 24 hours" : "Denied";
}

/** What the approver said, or that they said nothing we could read; null for an expiry. */
export function refusalReason(request: PimRequest): string | null {
  if (request.status !== "denied") {
    return null;
  }
  const reason = request.decisionReason?.trim() ?? "";
  return reason === "" ? "The approver gave no reason Latchkey could read." : reason;
}
