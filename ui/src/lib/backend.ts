import type { ActivationInput } from "./bindings/ActivationInput";
import type { AppError } from "./bindings/AppError";
import type { AppSnapshot } from "./bindings/AppSnapshot";
import type { ApprovalItem } from "./bindings/ApprovalItem";
import type { RequesterHistory } from "./bindings/RequesterHistory";
import type { DecisionInput } from "./bindings/DecisionInput";
import type { DecisionOutcome } from "./bindings/DecisionOutcome";
import type { DeviceCodePrompt } from "./bindings/DeviceCodePrompt";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { Activation } from "./bindings/Activation";
import type { Eligibility } from "./bindings/Eligibility";
import type { Listing } from "./bindings/Listing";
import type { PimRequest } from "./bindings/PimRequest";
import type { Plane } from "./bindings/Plane";
import type { RequestOutcome } from "./bindings/RequestOutcome";
import type { SessionState } from "./bindings/SessionState";
import type { StoredAccount } from "./bindings/StoredAccount";
import type { Settings } from "./bindings/Settings";
import type { Favourite } from "./bindings/Favourite";
import type { Target } from "./bindings/Target";
import type { LastKnown } from "./bindings/LastKnown";

/** Stops delivering events to the callback it was returned for. */
export type Unsubscribe = () => void;

/**
 * Everything the UI can ask of Rust (docs/architecture.md, "IPC contract").
 * Every method rejects with an `AppError`, never with anything else.
 */
export interface Backend {
  /** What to render right now. */
  appSnapshot(): Promise<AppSnapshot>;
  /** Starts device-code sign-in; the outcome arrives through `onSessionChanged`. */
  startSignIn(): Promise<DeviceCodePrompt>;
  /**
   * Starts a browser sign-in (for organisations that block device code): Rust opens the system
   * browser; the outcome arrives through `onSessionChanged`.
   */
  startBrowserSignIn(): Promise<null>;
  /** Cancels the device-code or browser sign-in under way. */
  cancelSignIn(): Promise<null>;
  /** Signs out and forgets the stored refresh token. */
  signOut(): Promise<null>;
  /** The accounts signed in on this computer, most recently used first; `current` marks the one in use. */
  listAccounts(): Promise<StoredAccount[]>;
  /**
   * Starts a device-code sign-in for another account while the others stay signed in; the
   * outcome arrives through `onSessionChanged` (cancelling it goes back to the current account).
   */
  addAccount(): Promise<DeviceCodePrompt>;
  /** Makes another signed-in account current, without signing in again. */
  switchAccount(accountId: string): Promise<null>;
  /**
   * Everything the user is eligible for, on every plane. A plane that could not be read is in
   * `unavailable`; the call rejects only when no plane could be read.
   */
  listEligibilities(): Promise<Listing<Eligibility>>;
  /**
   * The current account's last known eligibilities and activations (Rust caches them on disk,
   * no secrets), to paint at once, marked as last known, while the lists refresh; null when
   * none is known.
   */
  lastKnown(): Promise<LastKnown | null>;
  /** What is active now, on every plane. */
  listActivations(): Promise<Listing<Activation>>;
  /** My PIM requests, newest first. */
  listRequests(): Promise<Listing<PimRequest>>;
  /**
   * Sends one activation request per input; the outcomes come back in input order, and each one
   * succeeded or failed on its own. Only status `provisioned` means active.
   */
  activate(inputs: ActivationInput[]): Promise<RequestOutcome[]>;
  /** Ends an activation early (refused in its first 5 minutes with `tooSoonToDeactivate`). */
  deactivate(target: Target): Promise<RequestOutcome>;
  /** Withdraws a request that waits for approval or for its start time. */
  cancelRequest(plane: Plane, requestId: string): Promise<null>;
  /**
   * For activations refused with `stepUpRequired`: opens the browser sign-in with the claims the
   * service asked for, waits for it (up to 5 minutes) and sends the same inputs once more.
   * Rejects with `signInCancelled` when `cancelStepUp` stopped it.
   */
  stepUpAndActivate(inputs: ActivationInput[]): Promise<RequestOutcome[]>;
  /** Stops a step-up under way; the pending `stepUpAndActivate` then rejects. */
  cancelStepUp(): Promise<null>;
  /** Requests waiting for my decision as an approver, soonest to expire first. */
  listApprovals(): Promise<Listing<ApprovalItem>>;
  /**
   * Approves or denies; one outcome per input, in input order. `alreadyDecided` means another
   * approver was first or the request expired: it left the inbox, which is no failure of ours.
   */
  decide(inputs: DecisionInput[]): Promise<DecisionOutcome[]>;
  /**
   * For the inbox's detail view: the requester's other recent requests for the same target, as
   * far as the service lets an approver read them (`available: false` and a `note` otherwise).
   */
  approvalHistory(target: Target, requesterId: string, requestId: string): Promise<RequesterHistory>;
  /** Opens the current prompt's verification URI in the system browser. */
  openVerificationPage(): Promise<null>;
  /** Puts the current user code on the clipboard. */
  copyUserCode(): Promise<null>;
  /** The settings in force (`settings.json` in the config dir, or the defaults). */
  getSettings(): Promise<Settings>;
  /**
   * Validates and stores the settings; rejects with `invalidInput` (nothing changed) when a
   * field is out of range. Resolves with what was stored (lead times sorted, most distant first).
   * Reminders and the inbox interval follow at once.
   */
  saveSettings(settings: Settings): Promise<Settings>;
  /** The starred groups and roles (favourites.json in the data dir), in the order starred. */
  listFavourites(): Promise<Favourite[]>;
  /** Replaces the favourites; resolves with what was stored (repeats dropped). */
  saveFavourites(favourites: Favourite[]): Promise<Favourite[]>;
  /** Calls `callback` with every new session state until unsubscribed. */
  onSessionChanged(callback: (session: SessionState) => void): Promise<Unsubscribe>;
  /** Calls `callback` when the tray asks the open window for a view (`"approvals"`). */
  onShowView(callback: (view: string) => void): Promise<Unsubscribe>;
  /**
   * Calls `callback` with a target key (`targetKey`) when the tray asks the open window for that
   * item's activation form (a favourite whose policy needs more than one click).
   */
  onFocusTarget(callback: (targetKey: string) => void): Promise<Unsubscribe>;
}

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "network",
  "timeout",
  "signInCodeExpired",
  "signInDeclined",
  "signInCancelled",
  "signInRejected",
  "sessionExpired",
  "keyringUnavailable",
  "notSignedIn",
  "forbidden",
  "throttled",
  "serviceError",
  "unexpectedResponse",
  "invalidInput",
  "internal",
  "policyRejected",
  "stepUpRequired",
  "alreadyActive",
  "pendingRequest",
  "notActive",
  "tooSoonToDeactivate",
  "alreadyDecided",
]);

/** Whether `value` is a code this UI knows; a newer Rust could send one it does not. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && ERROR_CODES.has(value);
}

const FALLBACK_MESSAGE = "Something went wrong inside Latchkey. Try again; if it keeps happening, restart Latchkey.";

/**
 * Turns whatever a rejected promise carried into an `AppError`, so the UI can always branch on
 * `code` and show `message`. Rust sends proper `AppError`s; anything else (a Tauri-level failure
 * such as a missing command, a thrown `Error`, a string) becomes code `"internal"`.
 */
export function toAppError(reason: unknown): AppError {
  if (typeof reason === "object" && reason !== null) {
    const { code, message } = reason as { code?: unknown; message?: unknown };
    const text = typeof message === "string" && message.trim() !== "" ? message : null;
    if (isErrorCode(code) && text !== null) {
      return { code, message: text };
    }
    if (text !== null) {
      return { code: "internal", message: text };
    }
  }
  if (typeof reason === "string" && reason.trim() !== "") {
    return { code: "internal", message: reason };
  }
  return { code: "internal", message: FALLBACK_MESSAGE };
}
