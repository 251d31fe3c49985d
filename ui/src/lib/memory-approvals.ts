// The approver's side of the fake tenant: requests from other people that wait for the signed-in
// user's decision. Like PIM, the first decision wins (another approver may get there first, see
// `decideElsewhere`), and a request nobody decided within 24 hours leaves the inbox.
import type { AppError } from "./bindings/AppError";
import type { ApprovalItem } from "./bindings/ApprovalItem";
import type { DecisionInput } from "./bindings/DecisionInput";
import type { DecisionOutcome } from "./bindings/DecisionOutcome";
import type { Person } from "./bindings/Person";
import type { PimRequest } from "./bindings/PimRequest";
import type { RequesterHistory } from "./bindings/RequesterHistory";
import type { RequestStatus } from "./bindings/RequestStatus";
import type { Target } from "./bindings/Target";
import { targetKey } from "./targets";

const MINUTE = 60_000;
const DECISION_WINDOW_MS = 24 * 60 * MINUTE;

/** What a request in the inbox was asked with; the inbox works out ids and the 24-hour window. */
export interface FakeApprovalRequest {
  requester: Person;
  target: Target;
  name: string | null;
  scopeName: string | null;
  createdMs: number;
  startDateTime?: string | null;
  durationMinutes: number;
  justification: string | null;
  ticketNumber?: string | null;
  ticketSystem?: string | null;
  /** The policy wants the approver's reason (as the sandbox's Prod DB and role-approval policies do). */
  approverJustificationRequired?: boolean;
}

interface Stored {
  item: ApprovalItem;
  approverJustificationRequired: boolean;
  /** Who decided, once someone did. */
  decidedBy: "me" | "someoneElse" | null;
  /** What was decided (someone else approves), and the reason given. */
  approved: boolean;
  reason: string;
}

const ALREADY_DECIDED: AppError = {
  code: "alreadyDecided",
  message: "This request no longer waits for you: another approver decided first, or its 24 hours ran out.",
};

export class FakeInbox {
  readonly #now: () => number;
  #stored: Stored[] = [];
  #ids = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Adds a request that waits for my decision; returns it as the inbox lists it. */
  add(request: FakeApprovalRequest): ApprovalItem {
    const id = `apr-${String(++this.#ids).padStart(4, "0")}`;
    const item: ApprovalItem = {
      approvalId: id,
      requestId: id,
      target: request.target,
      name: request.name,
      scopeName: request.scopeName,
      requester: { ...request.requester },
      createdDateTime: new Date(request.createdMs).toISOString(),
      startDateTime: request.startDateTime ?? null,
      durationMinutes: request.durationMinutes,
      justification: request.justification,
      ticketNumber: request.ticketNumber ?? null,
      ticketSystem: request.ticketSystem ?? null,
      expiresDateTime: new Date(request.createdMs + DECISION_WINDOW_MS).toISOString(),
    };
    this.#stored.push({ item, approverJustificationRequired: request.approverJustificationRequired ?? false, decidedBy: null, approved: false, reason: "" });
    return { ...item };
  }

  /** What waits for me now, soonest to expire first. */
  waiting(): ApprovalItem[] {
    return this.#open()
      .map((s) => ({ ...s.item, requester: { ...s.item.requester } }))
      .sort((a, b) => Date.parse(a.expiresDateTime) - Date.parse(b.expiresDateTime) || a.approvalId.localeCompare(b.approvalId));
  }

  /** My decision on one request; the first decision wins. */
  decide(input: DecisionInput): DecisionOutcome {
    const { plane, approvalId, approve } = input;
    const result = (error: AppError | null): DecisionOutcome => ({ plane, approvalId, approve, decided: error === null, error });
    const stored = this.#stored.find((s) => s.item.approvalId === approvalId && s.item.target.plane === plane);
    if (stored === undefined || !this.#open().includes(stored)) {
      return result({ ...ALREADY_DECIDED });
    }
    if (stored.approverJustificationRequired && input.justification.trim() === "") {
      return result({
        code: "invalidInput",
        message: "This request's policy wants a reason from the approver. Write one, then decide again.",
      });
    }
    stored.decidedBy = "me";
    stored.approved = approve;
    stored.reason = input.justification.trim();
    return result(null);
  }

  /** Test hook: another approver decided first (the next decision of mine gets `alreadyDecided`). */
  decideElsewhere(approvalId: string): void {
    const stored = this.#stored.find((s) => s.item.approvalId === approvalId);
    if (stored !== undefined && stored.decidedBy === null) {
      stored.decidedBy = "someoneElse";
      stored.approved = true;
    }
  }

  /**
   * The requester's other requests for the same target that came to me, newest first, as PIM
   * lets an approver read them; Azure offers approvers no such list, and says so.
   */
  history(target: Target, requesterId: string, requestId: string): RequesterHistory {
    if (target.plane === "azureRole") {
      return {
        available: false,
        requests: [],
        note: "Azure doesn't let an approver see a requester's earlier requests; only what waits for you is listed.",
      };
    }
    const key = targetKey(target);
    const now = this.#now();
    const requests = this.#stored
      .filter((s) => s.item.requestId !== requestId && s.item.requester.id === requesterId && targetKey(s.item.target) === key)
      .sort((a, b) => Date.parse(b.item.createdDateTime) - Date.parse(a.item.createdDateTime))
      .slice(0, 10)
      .map((s): PimRequest => {
        const status: RequestStatus =
          s.decidedBy === null ? (Date.parse(s.item.expiresDateTime) > now ? "pendingApproval" : "timedOut") : s.approved ? "provisioned" : "denied";
        const request: PimRequest = {
          id: s.item.requestId,
          target: s.item.target,
          name: s.item.name,
          scopeName: s.item.scopeName,
          action: "selfActivate",
          status,
          createdDateTime: s.item.createdDateTime,
          startDateTime: s.item.startDateTime,
          durationMinutes: s.item.durationMinutes,
          justification: s.item.justification,
          ticketNumber: s.item.ticketNumber,
        };
        return status === "denied" && s.reason !== "" ? { ...request, decisionReason: s.reason } : request;
      });
    return { available: true, requests, note: null };
  }

  #open(): Stored[] {
    const now = this.#now();
    return this.#stored.filter((s) => s.decidedBy === null && Date.parse(s.item.expiresDateTime) > now);
  }
}
