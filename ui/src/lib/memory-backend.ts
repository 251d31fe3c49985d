// An in-memory Backend with a small fake tenant, so the UI runs and is tested in a plain browser.
// It behaves like Rust as far as the UI can tell: state changes arrive as session events, and
// methods reject with AppErrors. The `completeSignIn`-style methods are the test hooks.
import type { Backend, Unsubscribe } from "./backend";
import type { Account } from "./bindings/Account";
import type { ActivationInput } from "./bindings/ActivationInput";
import type { AppError } from "./bindings/AppError";
import type { AppSnapshot } from "./bindings/AppSnapshot";
import type { DeviceCodePrompt } from "./bindings/DeviceCodePrompt";
import type { GroupAccess } from "./bindings/GroupAccess";
import type { GroupActivation } from "./bindings/GroupActivation";
import type { GroupEligibility } from "./bindings/GroupEligibility";
import type { GroupRequest } from "./bindings/GroupRequest";
import type { RequestOutcome } from "./bindings/RequestOutcome";
import type { SessionState } from "./bindings/SessionState";
import type { TenantInfo } from "./bindings/TenantInfo";
import { demoGroups, demoPolicies, seedDemoActivity } from "./memory-demo";
import { FakeGroupPim } from "./memory-pim";

export { demoGroups } from "./memory-demo";

export const SANDBOX_TENANT: TenantInfo = {
  kind: "sandbox",
  label: "Sandbox tenant",
  tenant: "24940804-69ba-4f7c-b808-c78a600478c6",
};

export const CONFIGURED_TENANT: TenantInfo = {
  kind: "configured",
  label: "contoso.onmicrosoft.com",
  tenant: "5b2a7c1e-0d4f-4e8a-9c61-3f7e2d9a8b10",
};

export const DEMO_ACCOUNT: Account = {
  id: "8593dd9e-f545-42a4-bb60-1960cbb136bd",
  username: "ada@fabrikam.example",
  displayName: "Ada Okafor",
  tenantId: SANDBOX_TENANT.tenant,
};

const VERIFICATION_URI = "http://127.0.0.1:47100/devicelogin";
const USER_CODES = ["FKD3Q8RZM", "B7WJN2HPC", "QX4TL9VEA"];

export const CODE_EXPIRED: AppError = {
  code: "signInCodeExpired",
  message: "The sign-in code expired before it was used. Get a new code and enter it within 15 minutes.",
};

export interface MemoryBackendOptions {
  tenant?: TenantInfo;
  session?: SessionState;
  account?: Account;
  /**
   * Defaults to `demoGroups(now())` with the demo policies; other groups get the policy their
   * `requirements` describe (an open one when not `known`).
   */
  groups?: GroupEligibility[];
  /** The clock, in ms since the epoch; tests pass their own to move time. */
  now?: () => number;
  /** How long a device code lives; when it runs out the session ends with `signInCodeExpired`. */
  codeLifetimeSeconds?: number;
  /** Rust learns that a code expired on its next poll, this long after expiry at most. */
  pollIntervalSeconds?: number;
  /** Simulated IPC latency for every call, so loading states can be seen. */
  latencyMs?: number;
}

/** The states the demo page can start in (`?demo=…`). */
export const SCENARIOS = [
  "signed-out",
  "code-expired",
  "signing-in",
  "restoring",
  "signed-in",
  "no-groups",
  "groups-error",
  "active",
  "activation",
  "activity-error",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function isScenario(value: unknown): value is Scenario {
  return typeof value === "string" && (SCENARIOS as readonly string[]).includes(value);
}

export class MemoryBackend implements Backend {
  readonly tenant: TenantInfo;
  readonly account: Account;
  /** The fake PIM behind the group commands; its methods are test hooks too. */
  readonly pim: FakeGroupPim;
  /** When set, `listGroupEligibilities` rejects with it (until set back to null). */
  groupsFailure: AppError | null = null;
  /** When set, `listGroupActivations` rejects with it. */
  activationsFailure: AppError | null = null;
  /** When set, `listGroupRequests` rejects with it. */
  requestsFailure: AppError | null = null;
  /** Every `activateGroups` call's inputs, in order. */
  readonly activationCalls: ActivationInput[][] = [];
  /** What `copyUserCode` put on the pretend clipboard. */
  clipboard: string | null = null;
  /** Every URI `openVerificationPage` opened. */
  readonly openedPages: string[] = [];

  #session: SessionState;
  #listeners = new Set<(session: SessionState) => void>();
  #now: () => number;
  #codeLifetimeMs: number;
  #pollIntervalMs: number;
  #latencyMs: number;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  #codesIssued = 0;

  constructor(options: MemoryBackendOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.tenant = options.tenant ?? SANDBOX_TENANT;
    this.account = options.account ?? { ...DEMO_ACCOUNT, tenantId: this.tenant.tenant };
    this.pim = new FakeGroupPim(this.#now);
    if (options.groups === undefined) {
      this.pim.setEligibilities(demoGroups(this.#now()), demoPolicies());
    } else {
      this.pim.setEligibilities(options.groups);
    }
    this.#codeLifetimeMs = (options.codeLifetimeSeconds ?? 15 * 60) * 1000;
    this.#pollIntervalMs = (options.pollIntervalSeconds ?? 5) * 1000;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#session = options.session ?? { state: "signedOut", lastError: null };
    if (this.#session.state === "signingIn") {
      this.#armExpiry(this.#session.prompt);
    }
  }

  /** A backend that starts in a named demo state. */
  static scenario(name: Scenario, options: MemoryBackendOptions = {}): MemoryBackend {
    const backend = new MemoryBackend(options);
    switch (name) {
      case "signed-out":
        break;
      case "code-expired":
        backend.#set({ state: "signedOut", lastError: CODE_EXPIRED });
        break;
      case "signing-in":
        backend.#set({ state: "signingIn", prompt: backend.#newPrompt() });
        break;
      case "restoring":
        backend.#set({ state: "restoring" });
        break;
      case "signed-in":
        backend.completeSignIn();
        break;
      case "no-groups":
        backend.groups = [];
        backend.completeSignIn();
        break;
      case "groups-error":
        backend.groupsFailure = {
          code: "serviceError",
          message: "Microsoft Graph did not answer properly. Try again in a minute.",
        };
        backend.completeSignIn();
        break;
      case "active":
      case "activation":
        seedDemoActivity(backend.pim, backend.#now());
        backend.completeSignIn();
        break;
      case "activity-error": {
        const error: AppError = {
          code: "network",
          message: "Latchkey could not reach Microsoft Graph. Check your connection, then refresh.",
        };
        backend.activationsFailure = error;
        backend.requestsFailure = error;
        backend.completeSignIn();
        break;
      }
    }
    return backend;
  }

  get groups(): GroupEligibility[] {
    return this.pim.eligibilities;
  }

  /** Replaces the eligibilities (keeping the demo policies for the demo groups). */
  set groups(groups: GroupEligibility[]) {
    this.pim.setEligibilities(groups, demoPolicies());
  }

  /** The current state, as Rust would report it. */
  get session(): SessionState {
    return this.#session;
  }

  // ---- Backend ----

  async appSnapshot(): Promise<AppSnapshot> {
    await this.#latency();
    return { tenant: this.tenant, session: this.#session };
  }

  async startSignIn(): Promise<DeviceCodePrompt> {
    await this.#latency();
    switch (this.#session.state) {
      case "signingIn":
        return this.#session.prompt;
      case "signedIn":
      case "restoring":
        throw this.#error("invalidInput", "You are already signed in.");
      case "signedOut": {
        const prompt = this.#newPrompt();
        this.#set({ state: "signingIn", prompt });
        return prompt;
      }
    }
  }

  async cancelSignIn(): Promise<null> {
    await this.#latency();
    if (this.#session.state === "signingIn") {
      this.#set({ state: "signedOut", lastError: null });
    }
    return null;
  }

  async signOut(): Promise<null> {
    await this.#latency();
    this.#set({ state: "signedOut", lastError: null });
    return null;
  }

  async listGroupEligibilities(): Promise<GroupEligibility[]> {
    await this.#latency();
    this.#requireSignIn("Sign in to see your eligible groups.");
    if (this.groupsFailure !== null) {
      throw { ...this.groupsFailure };
    }
    return this.groups.map((g) => ({ ...g }));
  }

  async listGroupActivations(): Promise<GroupActivation[]> {
    await this.#latency();
    this.#requireSignIn();
    if (this.activationsFailure !== null) {
      throw { ...this.activationsFailure };
    }
    return this.pim.activations();
  }

  async listGroupRequests(): Promise<GroupRequest[]> {
    await this.#latency();
    this.#requireSignIn();
    if (this.requestsFailure !== null) {
      throw { ...this.requestsFailure };
    }
    return this.pim.requests();
  }

  async activateGroups(inputs: ActivationInput[]): Promise<RequestOutcome[]> {
    await this.#latency();
    this.#requireSignIn();
    this.activationCalls.push(inputs.map((input) => ({ ...input })));
    return inputs.map((input) => this.pim.activate(input));
  }

  async deactivateGroup(groupId: string, access: GroupAccess): Promise<RequestOutcome> {
    await this.#latency();
    this.#requireSignIn();
    // Like Rust: a refusal arrives inside the outcome, not as a rejection.
    return this.pim.deactivate(groupId, access);
  }

  async cancelGroupRequest(requestId: string): Promise<null> {
    await this.#latency();
    this.#requireSignIn();
    this.pim.cancel(requestId);
    return null;
  }

  async openVerificationPage(): Promise<null> {
    await this.#latency();
    this.openedPages.push(this.#currentPrompt().verificationUri);
    return null;
  }

  async copyUserCode(): Promise<null> {
    await this.#latency();
    this.clipboard = this.#currentPrompt().userCode;
    return null;
  }

  async onSessionChanged(callback: (session: SessionState) => void): Promise<Unsubscribe> {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  // ---- test hooks: what Rust would do on its own ----

  /** The user entered the code and signed in. */
  completeSignIn(): void {
    this.#set({ state: "signedIn", account: this.account });
  }

  /** Sign-in ended without success, e.g. `{ code: "signInDeclined", … }`. */
  failSignIn(error: AppError): void {
    this.#set({ state: "signedOut", lastError: error });
  }

  /** Puts Rust in any state, e.g. `{ state: "restoring" }`. */
  setSession(session: SessionState): void {
    this.#set(session);
  }

  /** An approver approves a pending request (see `pendingRequestIds`). */
  approve(requestId: string): void {
    this.pim.approve(requestId);
  }

  /** An approver denies a pending request. */
  deny(requestId: string): void {
    this.pim.deny(requestId);
  }

  /** The ids of requests waiting for approval, newest first. */
  pendingRequestIds(): string[] {
    return this.pim.requests().filter((r) => r.status === "pendingApproval").map((r) => r.id);
  }

  // ---- internals ----

  #set(session: SessionState): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    this.#session = session;
    if (session.state === "signingIn") {
      this.#armExpiry(session.prompt);
    }
    // Tauri delivers events asynchronously; so does this.
    const listeners = [...this.#listeners];
    queueMicrotask(() => listeners.forEach((listener) => listener(session)));
  }

  #armExpiry(prompt: DeviceCodePrompt): void {
    const delay = Math.max(0, Date.parse(prompt.expiresAt) - this.#now()) + this.#pollIntervalMs;
    this.#expiryTimer = setTimeout(() => {
      if (this.#session.state === "signingIn" && this.#session.prompt === prompt) {
        this.failSignIn(CODE_EXPIRED);
      }
    }, delay);
  }

  #newPrompt(): DeviceCodePrompt {
    const userCode = USER_CODES[this.#codesIssued++ % USER_CODES.length] ?? "FKD3Q8RZM";
    return {
      userCode,
      verificationUri: VERIFICATION_URI,
      expiresAt: new Date(this.#now() + this.#codeLifetimeMs).toISOString(),
      message: `To sign in, use a web browser to open the page ${VERIFICATION_URI} and enter the code ${userCode} to authenticate.`,
    };
  }

  #currentPrompt(): DeviceCodePrompt {
    if (this.#session.state !== "signingIn") {
      throw this.#error("invalidInput", "There is no sign-in code right now. Start signing in first.");
    }
    return this.#session.prompt;
  }

  #requireSignIn(message = "You are not signed in. Sign in, then try again."): void {
    if (this.#session.state !== "signedIn") {
      throw this.#error("notSignedIn", message);
    }
  }

  #error(code: AppError["code"], message: string): AppError {
    return { code, message };
  }

  async #latency(): Promise<void> {
    if (this.#latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    }
  }
}
