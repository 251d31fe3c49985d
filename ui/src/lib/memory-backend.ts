// An in-memory Backend with a small fake tenant, so the UI runs and is tested in a plain browser.
// It behaves like Rust as far as the UI can tell: state changes arrive as session events, and
// methods reject with AppErrors. The `completeSignIn`-style methods are the test hooks.
import type { Backend, Unsubscribe } from "./backend";
import type { Account } from "./bindings/Account";
import type { AppError } from "./bindings/AppError";
import type { AppSnapshot } from "./bindings/AppSnapshot";
import type { DeviceCodePrompt } from "./bindings/DeviceCodePrompt";
import type { GroupEligibility } from "./bindings/GroupEligibility";
import type { SessionState } from "./bindings/SessionState";
import type { TenantInfo } from "./bindings/TenantInfo";

const DAY_MS = 24 * 60 * 60 * 1000;

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

/** The fake tenant's eligibilities, with end dates relative to `nowMs`. */
export function demoGroups(nowMs: number): GroupEligibility[] {
  const inDays = (days: number) => new Date(nowMs + days * DAY_MS).toISOString();
  const since = new Date(nowMs - 30 * DAY_MS).toISOString();
  return [
    {
      id: "ge-prod-db",
      groupId: "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd",
      groupName: "Prod DB Admins",
      groupDescription: "Administrator on the production PostgreSQL fleet",
      access: "member",
      memberType: "Direct",
      startDateTime: since,
      endDateTime: inDays(5),
    },
    {
      id: "ge-platform-owner",
      groupId: "030de017-682a-48ed-8ca2-9ec91fb8101a",
      groupName: "Platform Engineers",
      groupDescription: "Owners manage membership of the platform team",
      access: "owner",
      memberType: "Direct",
      startDateTime: since,
      endDateTime: null,
    },
    {
      id: "ge-k8s",
      groupId: "720c50ef-9135-4f2d-b306-0eee8c3f0a15",
      groupName: "Kubernetes Cluster Admins",
      groupDescription: "cluster-admin on the production AKS clusters",
      access: "member",
      memberType: "Group",
      startDateTime: since,
      endDateTime: inDays(180),
    },
    {
      id: "ge-deleted",
      groupId: "4c1d9e0a-7b3f-4a55-8e21-6d0f9b2c7a44",
      groupName: null,
      groupDescription: null,
      access: "unknown",
      memberType: "Direct",
      startDateTime: null,
      endDateTime: null,
    },
    {
      id: "ge-payments",
      groupId: "da8ddf7b-f9e6-4083-a98f-1e67ee2c128d",
      groupName: "Payments Console Admins",
      groupDescription: "Admin role in the Payments Console app (provisioned by SCIM)",
      access: "member",
      memberType: "Direct",
      startDateTime: since,
      endDateTime: inDays(1.2),
    },
  ];
}

export const CODE_EXPIRED: AppError = {
  code: "signInCodeExpired",
  message: "The sign-in code expired before it was used. Get a new code and enter it within 15 minutes.",
};

export interface MemoryBackendOptions {
  tenant?: TenantInfo;
  session?: SessionState;
  account?: Account;
  /** Defaults to `demoGroups(now())`. */
  groups?: GroupEligibility[];
  /** The clock, in ms since the epoch. */
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
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function isScenario(value: unknown): value is Scenario {
  return typeof value === "string" && (SCENARIOS as readonly string[]).includes(value);
}

export class MemoryBackend implements Backend {
  readonly tenant: TenantInfo;
  readonly account: Account;
  groups: GroupEligibility[];
  /** When set, `listGroupEligibilities` rejects with it (until set back to null). */
  groupsFailure: AppError | null = null;
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
    this.groups = options.groups ?? demoGroups(this.#now());
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
    }
    return backend;
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
    if (this.#session.state !== "signedIn") {
      throw this.#error("notSignedIn", "Sign in to see your eligible groups.");
    }
    if (this.groupsFailure !== null) {
      throw { ...this.groupsFailure };
    }
    return this.groups.map((g) => ({ ...g }));
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

  #error(code: AppError["code"], message: string): AppError {
    return { code, message };
  }

  async #latency(): Promise<void> {
    if (this.#latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    }
  }
}
