// Requests and their outcomes in words. Only "provisioned" is ever called active.
import type { ActivationInput } from "./bindings/ActivationInput";
import type { AppError } from "./bindings/AppError";
import type { Activation } from "./bindings/Activation";
import type { PimRequest } from "./bindings/PimRequest";
import type { RequestOutcome } from "./bindings/RequestOutcome";
import type { RequestStatus } from "./bindings/RequestStatus";
import type { Target } from "./bindings/Target";
import { sameTarget } from "./targets";
import { formatClockTime } from "./time";

const MINUTE = 60_000;

/** How an outcome looks: `good` is active, `waiting` is accepted but not active, `bad` is refused. */
export type Tone = "good" | "waiting" | "bad" | "neutral";

export interface OutcomeView {
  /** The status for `data-status`: a RequestStatus, or "error". */
  status: RequestStatus | "error";
  tone: Tone;
  /** The outcome in a few words: "Active until 14:32". */
  headline: string;
  /** More, when there is more to say (an error's message). */
  detail: string | null;
}

/** A status as a short phrase, for any request. `startDateTime` makes "granted" say when. */
export function statusWords(status: RequestStatus, startDateTime: string | null, nowMs: number): string {
  switch (status) {
    case "provisioned":
      return "Active";
    case "granted":
      return startDateTime === null ? "Scheduled" : `Scheduled for ${formatClockTime(startDateTime, nowMs)}`;
    case "pendingApproval":
      return "Waiting for approval (up to 24 h)";
    case "denied":
      return "Denied by an approver";
    case "canceled":
      return "Canceled";
    case "revoked":
      return "Ended";
    case "failed":
      return "Failed: the service did not activate it";
    case "timedOut":
      return "Timed out: nobody decided within 24 h";
    case "inProgress":
      return "Still being processed; refresh in a moment";
  }
}

const STATUS_TONE: Record<RequestStatus, Tone> = {
  provisioned: "good",
  granted: "waiting",
  pendingApproval: "waiting",
  denied: "bad",
  canceled: "neutral",
  revoked: "neutral",
  failed: "bad",
  timedOut: "bad",
  inProgress: "waiting",
};

const ERROR_HEADLINES: Partial<Record<AppError["code"], string>> = {
  stepUpRequired: "Needs MFA or a stronger sign-in",
  policyRejected: "Refused by the PIM policy",
  alreadyActive: "Already active",
  pendingRequest: "A request is already waiting",
  notSignedIn: "Not signed in",
  sessionExpired: "Your session expired",
  forbidden: "Not allowed",
  throttled: "The service is busy",
  network: "Could not reach the service",
  timeout: "The service did not answer in time",
  outcomeUnknown: "Not sure it went through: refresh before trying again",
};

/** An error in the same shape as an outcome, so a list of them reads the same way. */
export function describeError(error: AppError): OutcomeView {
  return {
    status: "error",
    // It may have happened: not a refusal, something to look at.
    tone: error.code === "outcomeUnknown" ? "waiting" : "bad",
    headline: ERROR_HEADLINES[error.code] ?? "Not activated",
    detail: error.message,
  };
}

/**
 * One activation outcome in words. A provisioned one ends at the activation's real end time when
 * the refreshed list has it, else at start + duration counted from when the request was sent.
 */
export function describeOutcome(
  outcome: RequestOutcome,
  input: ActivationInput,
  activation: Activation | undefined,
  sentAtMs: number,
  nowMs: number,
): OutcomeView {
  if (outcome.error !== null || outcome.status === null) {
    return describeError(
      outcome.error ?? { code: "unexpectedResponse", message: "The service answered without a status. Refresh to see where it stands." },
    );
  }
  const status = outcome.status;
  if (status === "provisioned") {
    const end = activation?.endDateTime ?? new Date(sentAtMs + input.durationMinutes * MINUTE).toISOString();
    return { status, tone: "good", headline: `Active until ${formatClockTime(end, nowMs)}`, detail: null };
  }
  return { status, tone: STATUS_TONE[status], headline: statusWords(status, input.startAt, nowMs), detail: null };
}

/** Requests still waiting (for an approver or a start time) — the ones that can be canceled. */
export function pendingRequests(requests: readonly PimRequest[]): PimRequest[] {
  return requests.filter((r) => r.status === "pendingApproval" || r.status === "granted");
}

/** The activation of a target, if any. */
export function findActivation(activations: readonly Activation[], target: Target): Activation | undefined {
  return activations.find((a) => sameTarget(a.target, target));
}

/**
 * One outcome per input, in input order. Rust promises exactly that; should an answer come back
 * short, the missing ones say so instead of showing "Activating…" forever.
 */
export function alignOutcomes(inputs: readonly ActivationInput[], answer: readonly RequestOutcome[]): RequestOutcome[] {
  return inputs.map(
    (input, index) =>
      answer[index] ?? {
        target: input.target,
        requestId: null,
        status: null,
        error: {
          code: "unexpectedResponse",
          message: "Latchkey got no answer for this one. Refresh to see whether it was requested before trying again.",
        },
      },
  );
}

/** The same error for every input, when the whole call failed. */
export function failAll(inputs: readonly ActivationInput[], error: AppError): RequestOutcome[] {
  return inputs.map((input) => ({ target: input.target, requestId: null, status: null, error }));
}
