// An in-memory Backend with a small fake tenant, so the UI runs and is tested in a plain browser.
// It behaves like Rust as far as the UI can tell: state changes arrive as session events, and
// methods reject with AppErrors. The `completeSignIn`-style methods are the test hooks.
import type { LastKnown } from "./bindings/LastKnown";
import type { Settings } from "./bindings/Settings";
import type { Favourite } from "./bindings/Favourite";
import { defaultSettings, normalisedLeads, settingsProblem } from "./settings";
import type { Backend, Unsubscribe } from "./backend";
import type { Account } from "./bindings/Account";
import type { ActivationInput } from "./bindings/ActivationInput";
import type { AppError } from "./bindings/AppError";
import type { AppSnapshot } from "./bindings/AppSnapshot";
import type { ApprovalItem } from "./bindings/ApprovalItem";
import type { RequesterHistory } from "./bindings/RequesterHistory";
import type { DecisionInput } from "./bindings/DecisionInput";
import type { DecisionOutcome } from "./bindings/DecisionOutcome";
import type { DeviceCodePrompt } from "./bindings/DeviceCodePrompt";
import type { Activation } from "./bindings/Activation";
import type { Eligibility } from "./bindings/Eligibility";
import type { Listing } from "./bindings/Listing";
import type { PimRequest } from "./bindings/PimRequest";
import type { Plane } from "./bindings/Plane";
import type { RequestOutcome } from "./bindings/RequestOutcome";
import type { SessionState } from "./bindings/SessionState";
import type { StoredAccount } from "./bindings/StoredAccount";
import type { Target } from "./bindings/Target";
import type { TenantInfo } from "./bindings/TenantInfo";
import { FakeInbox } from "./memory-approvals";
import { demoEligibilities, demoPolicies, seedDemoActivity, seedDemoInbox } from "./memory-demo";
import { FakePim } from "./memory-pim";
import { FakeBrowserSignIn } from "./memory-step-up";
import { PLANES } from "./targets";

export { demoEligibilities } from "./memory-demo";

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
   * Defaults to `demoEligibilities(now())` (groups and directory roles) with the demo policies;
   * others get the policy their `requirements` describe (an open one when not `known`).
   */
  eligibilities?: Eligibility[];
  /** The clock, in ms since the epoch; tests pass their own to move time. */
  now?: () => number;
  /** How long a device code lives; when it runs out the session ends with `signInCodeExpired`. */
  codeLifetimeSeconds?: number;
  /** Rust learns that a code expired on its next poll, this long after expiry at most. */
  pollIntervalSeconds?: number;
  /** Simulated IPC latency for every call, so loading states can be seen. */
  latencyMs?: number;
  /**
   * When set, a step-up's browser sign-in finishes by itself after this long (the browser demo);
   * otherwise it waits for `completeStepUp()` or `cancelStepUp()`.
   */
  stepUpAutoCompleteMs?: number | null;
}

/** The states the demo page can start in (`?demo=…`). */
export const SCENARIOS = [
  "signed-out",
  "code-expired",
  "signing-in",
  "restoring",
  "signed-in",
  "nothing-eligible",
  "eligible-error",
  "roles-unavailable",
  "active",
  "activation",
  "activity-error",
  "approvals",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function isScenario(value: unknown): value is Scenario {
  return typeof value === "string" && (SCENARIOS as readonly string[]).includes(value);
}

export class MemoryBackend implements Backend {
  readonly tenant: TenantInfo;
  readonly account: Account;
  /** The fake PIM behind the PIM commands; its methods are test hooks too. */
  readonly pim: FakePim;
  /** The requests waiting for my decision as an approver; `inbox.add` and `inbox.decideElsewhere` are test hooks. */
  readonly inbox: FakeInbox;
  /** The browser sign-in a step-up waits for (`completeStepUp()` finishes it). */
  readonly browserSignIn: FakeBrowserSignIn;
  /** What `lastKnown` returns (a previous start's listing); none by default. */
  lastKnownState: LastKnown | null = null;
  /** When set, `listEligibilities` rejects with it (until set back to null). */
  eligibilitiesFailure: AppError | null = null;
  /** When set, `listActivations` rejects with it. */
  activationsFailure: AppError | null = null;
  /** When set, `listRequests` rejects with it. */
  requestsFailure: AppError | null = null;
  /** When set, `listApprovals` rejects with it. */
  approvalsFailure: AppError | null = null;
  /** When set, `decide` rejects with it (the whole call failed). */
  decideFailure: AppError | null = null;
  /**
   * Planes every list reports as unavailable with this error (e.g. no consent for directory
   * roles), keeping the other planes' items; when every plane is unavailable the lists reject,
   * as Rust's do.
   */
  readonly unavailable = new Map<Plane, AppError>();
  /** Every `activate` call's inputs, in order. */
  readonly activationCalls: ActivationInput[][] = [];
  /** Every `deactivate` call's target, in order. */
  readonly deactivationCalls: Target[] = [];
  /** Every `cancelRequest` call, in order. */
  readonly cancelCalls: { plane: Plane; requestId: string }[] = [];
  /** Every `decide` call's inputs, in order. */
  readonly decisionCalls: DecisionInput[][] = [];
  /** Every `stepUpAndActivate` call's inputs, in order. */
  readonly stepUpCalls: ActivationInput[][] = [];
  /** How many times `cancelStepUp` was called. */
  cancelStepUpCalls = 0;
  /** What `copyUserCode` put on the pretend clipboard. */
  clipboard: string | null = null;
  /** Every URI `openVerificationPage` opened. */
  readonly openedPages: string[] = [];

  /** Every `switchAccount` call's id, in order. */
  readonly switchCalls: string[] = [];
  /** Accounts signed in besides the current one, most recently used first (`addStoredAccount`). */
  #others: Account[] = [];
  /** The account to restore when an `addAccount` sign-in is cancelled. */
  #adding: Account | null = null;
  #session: SessionState;
  #listeners = new Set<(session: SessionState) => void>();
  #viewListeners = new Set<(view: string) => void>();
  #focusListeners = new Set<(targetKey: string) => void>();
  /** How many browser sign-ins were started. */
  browserSignIns = 0;
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
    this.pim = new FakePim(this.#now);
    this.inbox = new FakeInbox(this.#now);
    this.browserSignIn = new FakeBrowserSignIn(options.stepUpAutoCompleteMs ?? null);
    if (options.eligibilities === undefined) {
      this.pim.setEligibilities(demoEligibilities(this.#now()), demoPolicies());
    } else {
      this.pim.setEligibilities(options.eligibilities);
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
      case "nothing-eligible":
        backend.eligibilities = [];
        backend.completeSignIn();
        break;
      case "eligible-error":
        backend.eligibilitiesFailure = {
          code: "serviceError",
          message: "Microsoft Graph did not answer properly. Try again in a minute.",
        };
        backend.completeSignIn();
        break;
      case "roles-unavailable":
        backend.unavailable.set("directoryRole", {
          code: "forbidden",
          message: "Your organisation has not allowed Latchkey to read directory roles. Ask an administrator to grant consent.",
        });
        backend.completeSignIn();
        break;
      case "active":
      case "activation":
        seedDemoActivity(backend.pim, backend.#now());
        backend.completeSignIn();
        break;
      case "approvals":
        seedDemoActivity(backend.pim, backend.#now());
        seedDemoInbox(backend.inbox, backend.#now());
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

  get eligibilities(): Eligibility[] {
    return this.pim.eligibilities;
  }

  /** Replaces the eligibilities (keeping the demo policies for the demo ones). */
  set eligibilities(eligibilities: Eligibility[]) {
    this.pim.setEligibilities(eligibilities, demoPolicies());
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
      case "signedOut":
      case "signingInBrowser": {
        const prompt = this.#newPrompt();
        this.#set({ state: "signingIn", prompt });
        return prompt;
      }
    }
  }

  async startBrowserSignIn(): Promise<null> {
    await this.#latency();
    if (this.#session.state === "signedIn" || this.#session.state === "restoring") {
      throw this.#error("invalidInput", "You are already signed in.");
    }
    this.browserSignIns += 1;
    this.#set({ state: "signingInBrowser" });
    return null;
  }

  async cancelSignIn(): Promise<null> {
    await this.#latency();
    if (this.#session.state === "signingIn" || this.#session.state === "signingInBrowser") {
      const back = this.#adding;
      this.#adding = null;
      this.#set(back === null ? { state: "signedOut", lastError: null } : { state: "signedIn", account: back });
    }
    return null;
  }

  async listAccounts(): Promise<StoredAccount[]> {
    await this.#latency();
    const current = this.#session.state === "signedIn" ? [{ ...this.#session.account, current: true }] : [];
    return [...current, ...this.#others.map((a) => ({ ...a, current: false }))];
  }

  async addAccount(): Promise<DeviceCodePrompt> {
    await this.#latency();
    if (this.#session.state !== "signedIn") {
      return this.startSignIn();
    }
    this.#adding = this.#session.account;
    const prompt = this.#newPrompt();
    this.#set({ state: "signingIn", prompt });
    return prompt;
  }

  async switchAccount(accountId: string): Promise<null> {
    await this.#latency();
    this.switchCalls.push(accountId);
    const next = this.#others.find((a) => a.id === accountId);
    if (this.#session.state === "signedIn" && this.#session.account.id === accountId) {
      return null;
    }
    if (next === undefined) {
      throw this.#error("invalidInput", "That account is not signed in on this computer. Add it first.");
    }
    this.#others = this.#others.filter((a) => a.id !== accountId);
    if (this.#session.state === "signedIn") {
      this.#others.unshift(this.#session.account);
    }
    this.#set({ state: "signedIn", account: next });
    return null;
  }

  /** What `saveSettings` stored; tests may set it. */
  settings: Settings = defaultSettings();
  /** Every `saveSettings` call's argument, in order. */
  readonly settingsCalls: Settings[] = [];

  async getSettings(): Promise<Settings> {
    await this.#latency();
    return structuredClone(this.settings);
  }

  async saveSettings(settings: Settings): Promise<Settings> {
    await this.#latency();
    this.settingsCalls.push(structuredClone(settings));
    // The same rules as Rust's `Settings::validated`.
    const problem = settingsProblem(settings);
    if (problem !== null) {
      throw { code: "invalidInput", message: problem } satisfies AppError;
    }
    this.settings = { ...settings, leadMinutes: normalisedLeads(settings.leadMinutes) };
    return structuredClone(this.settings);
  }

  /** What `saveFavourites` stored; tests may set it. */
  favourites: Favourite[] = [];

  async listFavourites(): Promise<Favourite[]> {
    await this.#latency();
    return structuredClone(this.favourites);
  }

  async saveFavourites(favourites: Favourite[]): Promise<Favourite[]> {
    await this.#latency();
    const seen = new Set<string>();
    this.favourites = favourites.filter((f) => {
      const key = JSON.stringify(f.target);
      return !seen.has(key) && (seen.add(key), true);
    });
    return structuredClone(this.favourites);
  }

  async signOut(): Promise<null> {
    await this.#latency();
    this.#set({ state: "signedOut", lastError: null });
    return null;
  }

  async lastKnown(): Promise<LastKnown | null> {
    await this.#latency();
    this.#requireSignIn();
    return this.lastKnownState === null ? null : structuredClone(this.lastKnownState);
  }

  async listEligibilities(): Promise<Listing<Eligibility>> {
    await this.#latency();
    this.#requireSignIn("Sign in to see what you are eligible for.");
    return this.#gather(this.eligibilitiesFailure, this.eligibilities.map((e) => ({ ...e })));
  }

  async listActivations(): Promise<Listing<Activation>> {
    await this.#latency();
    this.#requireSignIn();
    return this.#gather(this.activationsFailure, this.pim.activations());
  }

  async listRequests(): Promise<Listing<PimRequest>> {
    await this.#latency();
    this.#requireSignIn();
    return this.#gather(this.requestsFailure, this.pim.requests());
  }

  async activate(inputs: ActivationInput[]): Promise<RequestOutcome[]> {
    await this.#latency();
    this.#requireSignIn();
    this.activationCalls.push(inputs.map((input) => ({ ...input })));
    return inputs.map((input) => this.pim.activate(input));
  }

  async deactivate(target: Target): Promise<RequestOutcome> {
    await this.#latency();
    this.#requireSignIn();
    this.deactivationCalls.push({ ...target });
    // Like Rust: a refusal arrives inside the outcome, not as a rejection.
    return this.pim.deactivate(target);
  }

  async cancelRequest(plane: Plane, requestId: string): Promise<null> {
    await this.#latency();
    this.#requireSignIn();
    this.cancelCalls.push({ plane, requestId });
    this.pim.cancel(plane, requestId);
    return null;
  }

  async stepUpAndActivate(inputs: ActivationInput[]): Promise<RequestOutcome[]> {
    await this.#latency();
    this.#requireSignIn();
    this.stepUpCalls.push(inputs.map((input) => ({ ...input })));
    await this.browserSignIn.wait();
    // The new sign-in carries the MFA and authentication-context claims from now on.
    this.pim.strongSignIn = true;
    return inputs.map((input) => this.pim.activate(input));
  }

  async cancelStepUp(): Promise<null> {
    await this.#latency();
    this.cancelStepUpCalls += 1;
    this.browserSignIn.cancel();
    return null;
  }

  async listApprovals(): Promise<Listing<ApprovalItem>> {
    await this.#latency();
    this.#requireSignIn();
    return this.#gather(this.approvalsFailure, this.inbox.waiting());
  }

  async decide(inputs: DecisionInput[]): Promise<DecisionOutcome[]> {
    await this.#latency();
    this.#requireSignIn();
    this.decisionCalls.push(inputs.map((input) => ({ ...input })));
    if (this.decideFailure !== null) {
      throw { ...this.decideFailure };
    }
    return inputs.map((input) => this.inbox.decide(input));
  }

  async approvalHistory(target: Target, requesterId: string, requestId: string): Promise<RequesterHistory> {
    await this.#latency();
    this.#requireSignIn();
    return this.inbox.history(target, requesterId, requestId);
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

  async onShowView(callback: (view: string) => void): Promise<Unsubscribe> {
    this.#viewListeners.add(callback);
    return () => this.#viewListeners.delete(callback);
  }

  async onFocusTarget(callback: (targetKey: string) => void): Promise<Unsubscribe> {
    this.#focusListeners.add(callback);
    return () => this.#focusListeners.delete(callback);
  }

  // ---- test hooks: what Rust would do on its own ----

  /** The tray asks the open window for the activation form of `targetKey`. */
  focusTarget(targetKey: string): void {
    for (const listener of this.#focusListeners) {
      listener(targetKey);
    }
  }

  /** The tray asks the open window for `view`. */
  showView(view: string): void {
    for (const listener of this.#viewListeners) {
      listener(view);
    }
  }

  /** The user entered the code (or finished the browser sign-in) and signed in. */
  completeSignIn(account: Account = this.account): void {
    // After `addAccount`, the account that was current stays signed in beside the new one.
    if (this.#adding !== null && this.#adding.id !== account.id) {
      this.#others = [this.#adding, ...this.#others.filter((a) => a.id !== account.id)];
    }
    this.#adding = null;
    this.#set({ state: "signedIn", account });
  }

  /** Another account signed in on this computer but not current. */
  addStoredAccount(account: Account): void {
    this.#others.push(account);
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
  deny(requestId: string, reason?: string): void {
    this.pim.deny(requestId, reason);
  }

  /** The person finished the step-up sign-in in the browser. */
  completeStepUp(): boolean {
    return this.browserSignIn.complete();
  }

  /** The ids of requests waiting for approval, newest first. */
  pendingRequestIds(): string[] {
    return this.pim.requests().filter((r) => r.status === "pendingApproval").map((r) => r.id);
  }

  // ---- internals ----

  /** Like Rust's `Listing::gather`: the planes that answered, and the ones that did not. */
  #gather<T extends { target: Target }>(failure: AppError | null, items: T[]): Listing<T> {
    if (failure !== null) {
      throw { ...failure };
    }
    const unavailable = PLANES.flatMap((plane) => {
      const error = this.unavailable.get(plane);
      return error === undefined ? [] : [{ plane, error: { ...error } }];
    });
    const last = unavailable.at(-1);
    if (last !== undefined && unavailable.length === PLANES.length) {
      throw last.error;
    }
    const missing = new Set(unavailable.map((u) => u.plane));
    return { items: items.filter((i) => !missing.has(i.target.plane)), unavailable };
  }

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
