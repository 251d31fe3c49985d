// The approver's inbox in words: who asks, for what, and how each decision ended.
import type { ApprovalItem } from "./bindings/ApprovalItem";
import type { DecisionInput } from "./bindings/DecisionInput";
import type { DecisionOutcome } from "./bindings/DecisionOutcome";
import type { Person } from "./bindings/Person";
import type { Tone } from "./outcomes";
import { describedLabel } from "./targets";
import { formatClockTime } from "./time";

/** The requester as people know them: the display name, else the mail, else the id. */
export function personName(person: Person): string {
  for (const value of [person.displayName, person.mail]) {
    if (value !== null && value.trim() !== "") {
      return value;
    }
  }
  return person.id;
}

/** "Ben Tanaka's request for Prod DB Admins (member)", for accessible names and announcements. */
export function requestLabel(item: ApprovalItem): string {
  return `${personName(item.requester)}'s request for ${describedLabel(item)}`;
}

/** "ServiceNow CHG-12", "INC-7", or null when no ticket was given. */
export function ticketWords(item: ApprovalItem): string | null {
  const number = item.ticketNumber?.trim() ?? "";
  if (number === "") {
    return null;
  }
  const system = item.ticketSystem?.trim() ?? "";
  return system === "" ? number : `${system} ${number}`;
}

/** When the access would start: "when approved", or the requested time. */
export function startWords(item: ApprovalItem, nowMs: number): string {
  return item.startDateTime === null ? "when approved" : formatClockTime(item.startDateTime, nowMs);
}

/** The decision to send for an item. */
export function decisionFor(item: ApprovalItem, approve: boolean, justification: string): DecisionInput {
  return { plane: item.target.plane, approvalId: item.approvalId, approve, justification: justification.trim() };
}

/**
 * One outcome per input, in input order. Rust promises exactly that; a missing answer says so
 * rather than leaving the row busy.
 */
export function alignDecisions(inputs: readonly DecisionInput[], answer: readonly DecisionOutcome[]): DecisionOutcome[] {
  return inputs.map(
    (input, index) =>
      answer[index] ?? {
        plane: input.plane,
        approvalId: input.approvalId,
        approve: input.approve,
        decided: false,
        error: {
          code: "unexpectedResponse",
          message: "Latchkey got no answer for this decision. Refresh to see whether it was recorded.",
        },
      },
  );
}

/**
 * Where a decision leaves the row: `done` (recorded, the row goes), `gone` (`alreadyDecided`:
 * another approver was first or its time ran out — the row goes too, and this is no failure), or
 * `failed` (the row stays and shows the message in place).
 */
export type DecisionFate = "done" | "gone" | "failed";

export function decisionFate(outcome: DecisionOutcome): DecisionFate {
  if (outcome.decided && outcome.error === null) {
    return "done";
  }
  return outcome.error?.code === "alreadyDecided" ? "gone" : "failed";
}

/** How a decision that left the inbox reads in the list of recent decisions. */
export interface DecisionView {
  /** For `data-outcome`. */
  outcome: "approved" | "denied" | "alreadyDecided";
  tone: Tone;
  headline: string;
  detail: string | null;
}

export function describeDecision(outcome: DecisionOutcome): DecisionView {
  if (decisionFate(outcome) === "gone") {
    return { outcome: "alreadyDecided", tone: "neutral", headline: "No longer waiting for you", detail: outcome.error?.message ?? null };
  }
  return outcome.approve
    ? { outcome: "approved", tone: "good", headline: "Approved", detail: null }
    : { outcome: "denied", tone: "neutral", headline: "Denied", detail: null };
}
