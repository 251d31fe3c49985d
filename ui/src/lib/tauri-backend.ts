import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toAppError, type Backend, type Unsubscribe } from "./backend";
import type { ActivationInput } from "./bindings/ActivationInput";
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
import type { Settings } from "./bindings/Settings";
import type { Favourite } from "./bindings/Favourite";
import type { Target } from "./bindings/Target";
import type { LastKnown } from "./bindings/LastKnown";

/** The Rust commands, by the names `src-tauri` registers them under. */
export const CommandName = {
  appSnapshot: "app_snapshot",
  startSignIn: "start_sign_in",
  startBrowserSignIn: "start_browser_sign_in",
  cancelSignIn: "cancel_sign_in",
  signOut: "sign_out",
  listAccounts: "list_accounts",
  addAccount: "add_account",
  switchAccount: "switch_account",
  listEligibilities: "list_eligibilities",
  lastKnown: "last_known",
  openVerificationPage: "open_verification_page",
  copyUserCode: "copy_user_code",
  listActivations: "list_activations",
  listRequests: "list_requests",
  activate: "activate",
  deactivate: "deactivate",
  cancelRequest: "cancel_request",
  stepUpAndActivate: "step_up_and_activate",
  cancelStepUp: "cancel_step_up",
  listApprovals: "list_approvals",
  decide: "decide",
  approvalHistory: "approval_history",
  getSettings: "get_settings",
  saveSettings: "save_settings",
  listFavourites: "list_favourites",
  saveFavourites: "save_favourites",
} as const;
export type CommandName = (typeof CommandName)[keyof typeof CommandName];

/** The events Rust emits to the web view. */
export const EventName = {
  sessionChanged: "session-changed",
  showView: "show-view",
  focusTarget: "focus-target",
} as const;
export type EventName = (typeof EventName)[keyof typeof EventName];

/** Tauri maps these camelCase argument names to the commands' snake_case parameters. */
async function call<T>(command: CommandName, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toAppError(reason);
  }
}

async function subscribe<T>(event: EventName, callback: (payload: T) => void): Promise<Unsubscribe> {
  try {
    return await listen<T>(event, (e) => callback(e.payload));
  } catch (reason) {
    throw toAppError(reason);
  }
}

/** The real backend: Tauri commands and events. */
export class TauriBackend implements Backend {
  appSnapshot(): Promise<AppSnapshot> {
    return call(CommandName.appSnapshot);
  }

  startSignIn(): Promise<DeviceCodePrompt> {
    return call(CommandName.startSignIn);
  }

  startBrowserSignIn(): Promise<null> {
    return call(CommandName.startBrowserSignIn);
  }

  cancelSignIn(): Promise<null> {
    return call(CommandName.cancelSignIn);
  }

  signOut(): Promise<null> {
    return call(CommandName.signOut);
  }

  listAccounts(): Promise<StoredAccount[]> {
    return call(CommandName.listAccounts);
  }

  addAccount(): Promise<DeviceCodePrompt> {
    return call(CommandName.addAccount);
  }

  switchAccount(accountId: string): Promise<null> {
    return call(CommandName.switchAccount, { accountId });
  }

  listEligibilities(): Promise<Listing<Eligibility>> {
    return call(CommandName.listEligibilities);
  }

  lastKnown(): Promise<LastKnown | null> {
    return call(CommandName.lastKnown);
  }

  openVerificationPage(): Promise<null> {
    return call(CommandName.openVerificationPage);
  }

  copyUserCode(): Promise<null> {
    return call(CommandName.copyUserCode);
  }

  listActivations(): Promise<Listing<Activation>> {
    return call(CommandName.listActivations);
  }

  listRequests(): Promise<Listing<PimRequest>> {
    return call(CommandName.listRequests);
  }

  activate(inputs: ActivationInput[]): Promise<RequestOutcome[]> {
    return call(CommandName.activate, { inputs });
  }

  deactivate(target: Target): Promise<RequestOutcome> {
    return call(CommandName.deactivate, { target });
  }

  cancelRequest(plane: Plane, requestId: string): Promise<null> {
    return call(CommandName.cancelRequest, { plane, requestId });
  }

  stepUpAndActivate(inputs: ActivationInput[]): Promise<RequestOutcome[]> {
    return call(CommandName.stepUpAndActivate, { inputs });
  }

  cancelStepUp(): Promise<null> {
    return call(CommandName.cancelStepUp);
  }

  listApprovals(): Promise<Listing<ApprovalItem>> {
    return call(CommandName.listApprovals);
  }

  decide(inputs: DecisionInput[]): Promise<DecisionOutcome[]> {
    return call(CommandName.decide, { inputs });
  }

  approvalHistory(target: Target, requesterId: string, requestId: string): Promise<RequesterHistory> {
    return call(CommandName.approvalHistory, { target, requesterId, requestId });
  }

  getSettings(): Promise<Settings> {
    return call(CommandName.getSettings);
  }

  saveSettings(settings: Settings): Promise<Settings> {
    return call(CommandName.saveSettings, { settings });
  }

  listFavourites(): Promise<Favourite[]> {
    return call(CommandName.listFavourites);
  }

  saveFavourites(favourites: Favourite[]): Promise<Favourite[]> {
    return call(CommandName.saveFavourites, { favourites });
  }

  onSessionChanged(callback: (session: SessionState) => void): Promise<Unsubscribe> {
    return subscribe(EventName.sessionChanged, callback);
  }

  onShowView(callback: (view: string) => void): Promise<Unsubscribe> {
    return subscribe(EventName.showView, callback);
  }

  onFocusTarget(callback: (targetKey: string) => void): Promise<Unsubscribe> {
    return subscribe(EventName.focusTarget, callback);
  }
}

/** Whether this page runs inside a Tauri web view (as opposed to a plain browser). */
export function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
