// A fake PIM for MemoryBackend, for every plane at once (groups and directory roles follow the
// same life cycle and rules): policies, requests, activations, as the service (through Rust)
// reports them. Time comes from an injected clock, and time-driven
// changes (a scheduled start arrives, an activation ends, an approval times out) are applied
// whenever something is read or written.
import type { Activation } from "./bindings/Activation";
import type { ActivationInput } from "./bindings/ActivationInput";
import type { AppError } from "./bindings/AppError";
import type { Eligibility } from "./bindings/Eligibility";
import type { PimRequest } from "./bindings/PimRequest";
import type { Plane } from "./bindings/Plane";
import type { RequestOutcome } from "./bindings/RequestOutcome";
import type { RequestStatus } from "./bindings/RequestStatus";
import type { Requirements } from "./bindings/Requirements";
import type { Target } from "./bindings/Target";
import { sameTarget, targetKey } from "./targets";

const MINUTE = 60_000;
const APPROVAL_WINDOW_MS = 24 * 60 * MINUTE;
const DEACTIVATION_DELAY_MS = 5 * MINUTE;

/** What the service enforces, which the UI may or may not be able to read (`Requirements`). */
export interface FakePolicy {
  maxMinutes: number;
  justification: boolean;
  ticket: boolean;
  mfa: boolean;
  authenticationContext: string | null;
  approval: boolean;
}

export const OPEN_POLICY: FakePolicy = {
  maxMinutes: 8 * 60,
  justification: false,
  ticket: false,
  mfa: false,
  authenticationContext: null,
  approval: false,
};

/** The policy as the UI sees it when it can be read. */
export function requirementsOf(policy: FakePolicy): Requirements {
  return {
    known: true,
    maxDurationMinutes: policy.maxMinutes,
    justification: policy.justification,
    ticket: policy.ticket,
    mfa: policy.mfa,
    authenticationContext: policy.authenticationContext,
    approval: policy.approval,
  };
}

/** The policy the fake enforces for an eligibility: the readable one, or an open one if unreadable. */
function policyFromRequirements(r: Requirements): FakePolicy {
  if (!r.known) {
    return OPEN_POLICY;
  }
  return {
    maxMinutes: r.maxDurationMinutes ?? OPEN_POLICY.maxMinutes,
    justification: r.justification,
    ticket: r.ticket,
    mfa: r.mfa,
    authenticationContext: r.authenticationContext,
    approval: r.approval,
  };
}

interface StoredRequest extends PimRequest {
  ticketSystem: string | null;
}

const error = (code: AppError["code"], message: string): AppError => ({ code, message });

export class FakePim {
  /** Whether the current sign-in satisfies MFA and authentication contexts (a step-up happened). */
  strongSignIn = false;

  readonly #now: () => number;
  readonly #policies = new Map<string, FakePolicy>();
  #eligibilities: Eligibility[] = [];
  #activations: Activation[] = [];
  #requests: StoredRequest[] = [];
  #ids = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Replaces the eligibilities; `policies` (by `targetKey`) overrides what `requirements` says. */
  setEligibilities(eligibilities: Eligibility[], policies: ReadonlyMap<string, FakePolicy> = new Map()): void {
    this.#eligibilities = eligibilities;
    this.#policies.clear();
    for (const e of eligibilities) {
      const key = targetKey(e.target);
      this.#policies.set(key, policies.get(key) ?? policyFromRequirements(e.requirements));
    }
  }

  get eligibilities(): Eligibility[] {
    return this.#eligibilities;
  }

  activations(): Activation[] {
    this.#advance();
    return this.#activations.map((a) => ({ ...a }));
  }

  /** Mine, newest first. */
  requests(): PimRequest[] {
    this.#advance();
    return [...this.#requests]
      .sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime) || b.id.localeCompare(a.id))
      .map(({ ticketSystem: _, ...request }) => request);
  }

  activate(input: ActivationInput): RequestOutcome {
    this.#advance();
    const refused = this.#refusal(input);
    if (refused !== null) {
      return { target: input.target, requestId: null, status: null, error: refused };
    }
    const policy = this.#policies.get(targetKey(input.target)) ?? OPEN_POLICY;
    const now = this.#now();
    // The service clamps a start in the past to the moment it processes the request.
    const start = Math.max(now, input.startAt === null ? now : Date.parse(input.startAt));
    const status: RequestStatus = policy.approval ? "pendingApproval" : start > now ? "granted" : "provisioned";
    const request = this.#record(input, "selfActivate", status, start);
    if (status === "provisioned") {
      this.#provision(request, start);
    }
    return { target: input.target, requestId: request.id, status, error: null };
  }

  deactivate(target: Target): RequestOutcome {
    this.#advance();
    const fail = (e: AppError): RequestOutcome => ({ target, requestId: null, status: null, error: e });
    const active = this.#activations.find((a) => sameTarget(a.target, target));
    if (active === undefined) {
      return fail(error("notActive", "It is not active any more. Refresh to see the current state."));
    }
    if (this.#now() - Date.parse(active.startDateTime) < DEACTIVATION_DELAY_MS) {
      return fail(error("tooSoonToDeactivate", "It can be deactivated 5 minutes after it started. Try again then."));
    }
    this.#activations = this.#activations.filter((a) => a !== active);
    const request = this.#record(
      { target, durationMinutes: 0, justification: null, ticketNumber: null, ticketSystem: null, startAt: null },
      "selfDeactivate",
      "revoked",
      this.#now(),
    );
    request.durationMinutes = null;
    return { target, requestId: request.id, status: "revoked", error: null };
  }

  /**
   * Throws an AppError when the request cannot be canceled. Each plane has its own request
   * collection in Graph, so a request id asked for on the wrong plane is not found.
   */
  cancel(plane: Plane, requestId: string): void {
    this.#advance();
    const request = this.#requests.find((r) => r.id === requestId && r.target.plane === plane);
    if (request === undefined) {
      throw error("invalidInput", "That request no longer exists. Refresh to see your requests.");
    }
    if (request.status !== "pendingApproval" && request.status !== "granted") {
      throw error("invalidInput", "This request can no longer be canceled. Refresh to see where it stands.");
    }
    request.status = "canceled";
  }

  /** An approver approves: active now, or "granted" until a later start. */
  approve(requestId: string): void {
    const request = this.#pending(requestId);
    const now = this.#now();
    const start = Math.max(now, Date.parse(request.startDateTime ?? "") || now);
    if (start > now) {
      request.status = "granted";
    } else {
      this.#provision(request, now);
    }
  }

  /** An approver denies. */
  deny(requestId: string, reason?: string): void {
    const request = this.#pending(requestId);
    request.status = "denied";
    if (reason !== undefined && reason.trim() !== "") {
      request.decisionReason = reason.trim();
    }
  }

  /** Puts an activation in place directly, e.g. one that started before the app opened. */
  seedActivation(target: Target, startMs: number, minutes: number): Activation {
    const input = { target, durationMinutes: minutes, justification: null, ticketNumber: null, ticketSystem: null, startAt: null };
    const request = this.#record(input, "selfActivate", "provisioned", startMs);
    request.createdDateTime = new Date(startMs).toISOString();
    return this.#provision(request, startMs);
  }

  /** Puts a request in place directly (pending approval, or granted for a later start). */
  seedRequest(input: ActivationInput, status: "pendingApproval" | "granted", createdMs: number): PimRequest {
    const start = input.startAt === null ? createdMs : Date.parse(input.startAt);
    const request = this.#record(input, "selfActivate", status, start);
    request.createdDateTime = new Date(createdMs).toISOString();
    return request;
  }

  // ---- internals ----

  /** What the service would refuse, in the order Rust reports it; null when it accepts. */
  #refusal(input: ActivationInput): AppError | null {
    if (input.target.plane === "group" && input.target.access === "unknown") {
      return error("invalidInput", "Latchkey can only activate a membership or an ownership.");
    }
    const key = targetKey(input.target);
    const policy = this.#policies.get(key);
    if (policy === undefined || !this.#eligibilities.some((e) => targetKey(e.target) === key)) {
      return error("policyRejected", "You are not (or no longer) eligible for it.");
    }
    if (input.startAt !== null && Number.isNaN(Date.parse(input.startAt))) {
      return error("invalidInput", "The start time is not a valid date and time.");
    }
    if (!this.strongSignIn && policy.authenticationContext !== null) {
      return error(
        "stepUpRequired",
        "This needs a stronger sign-in (your organisation's authentication context). Sign in again when asked, then Latchkey resends the request.",
      );
    }
    if (!this.strongSignIn && policy.mfa) {
      return error(
        "stepUpRequired",
        "This needs multi-factor authentication. Sign in again with MFA when asked, then Latchkey resends the request.",
      );
    }
    if (this.#activations.some((a) => targetKey(a.target) === key)) {
      return error("alreadyActive", "It is already active.");
    }
    if (this.#requests.some((r) => targetKey(r.target) === key && (r.status === "pendingApproval" || r.status === "granted"))) {
      return error(
        "pendingRequest",
        "A request for this is already waiting for approval or its start time. Cancel it first to ask again.",
      );
    }
    const reasons: string[] = [];
    if (!Number.isInteger(input.durationMinutes) || input.durationMinutes < 1 || input.durationMinutes > policy.maxMinutes) {
      reasons.push("the duration is missing or longer than the policy allows");
    }
    if (policy.justification && (input.justification ?? "").trim() === "") {
      reasons.push("a justification is required");
    }
    if (policy.ticket && (input.ticketNumber ?? "").trim() === "") {
      reasons.push("a ticket number is required");
    }
    if (reasons.length > 0) {
      const sentence = reasons.join("; ");
      return error("policyRejected", `${sentence[0]?.toUpperCase()}${sentence.slice(1)}.`);
    }
    return null;
  }

  #record(input: ActivationInput, action: string, status: RequestStatus, startMs: number): StoredRequest {
    const eligibility = this.#eligibilities.find((e) => sameTarget(e.target, input.target));
    const request: StoredRequest = {
      id: `req-${String(++this.#ids).padStart(4, "0")}`,
      target: input.target,
      name: eligibility?.name ?? null,
      scopeName: eligibility?.scopeName ?? null,
      action,
      status,
      createdDateTime: new Date(this.#now()).toISOString(),
      startDateTime: new Date(startMs).toISOString(),
      durationMinutes: input.durationMinutes,
      justification: input.justification,
      ticketNumber: input.ticketNumber,
      ticketSystem: input.ticketSystem,
    };
    this.#requests.push(request);
    return request;
  }

  #provision(request: StoredRequest, startMs: number): Activation {
    request.status = "provisioned";
    request.startDateTime = new Date(startMs).toISOString();
    const activation: Activation = {
      id: `act-${request.id}`,
      target: request.target,
      name: request.name,
      scopeName: request.scopeName,
      startDateTime: new Date(startMs).toISOString(),
      endDateTime: new Date(startMs + (request.durationMinutes ?? 0) * MINUTE).toISOString(),
    };
    this.#activations.push(activation);
    return activation;
  }

  #pending(requestId: string): StoredRequest {
    this.#advance();
    const request = this.#requests.find((r) => r.id === requestId);
    if (request === undefined || request.status !== "pendingApproval") {
      throw error("alreadyDecided", "This request is not waiting for a decision any more.");
    }
    return request;
  }

  /** Applies what the passing of time does: starts, expiries and approval time-outs. */
  #advance(): void {
    const now = this.#now();
    for (const request of this.#requests) {
      const start = Date.parse(request.startDateTime ?? "");
      if (request.status === "granted" && start <= now) {
        this.#provision(request, start);
      } else if (request.status === "pendingApproval" && now - Date.parse(request.createdDateTime) >= APPROVAL_WINDOW_MS) {
        request.status = "timedOut";
      }
    }
    this.#activations = this.#activations.filter((a) => a.endDateTime === null || Date.parse(a.endDateTime) > now);
  }
}
