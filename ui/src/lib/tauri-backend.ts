import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toAppError, type Backend, type Unsubscribe } from "./backend";
import type { ActivationInput } from "./bindings/ActivationInput";
import type { AppSnapshot } from "./bindings/AppSnapshot";
import type { DeviceCodePrompt } from "./bindings/DeviceCodePrompt";
import type { GroupAccess } from "./bindings/GroupAccess";
import type { GroupActivation } from "./bindings/GroupActivation";
import type { GroupEligibility } from "./bindings/GroupEligibility";
import type { GroupRequest } from "./bindings/GroupRequest";
import type { RequestOutcome } from "./bindings/RequestOutcome";
import type { SessionState } from "./bindings/SessionState";

/** The Rust commands, by the names `src-tauri` registers them under. */
export const CommandName = {
  appSnapshot: "app_snapshot",
  startSignIn: "start_sign_in",
  cancelSignIn: "cancel_sign_in",
  signOut: "sign_out",
  listGroupEligibilities: "list_group_eligibilities",
  openVerificationPage: "open_verification_page",
  copyUserCode: "copy_user_code",
  listGroupActivations: "list_group_activations",
  listGroupRequests: "list_group_requests",
  activateGroups: "activate_groups",
  deactivateGroup: "deactivate_group",
  cancelGroupRequest: "cancel_group_request",
} as const;
export type CommandName = (typeof CommandName)[keyof typeof CommandName];

/** The events Rust emits to the web view. */
export const EventName = {
  sessionChanged: "session-changed",
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

/** The real backend: Tauri commands and events. */
export class TauriBackend implements Backend {
  appSnapshot(): Promise<AppSnapshot> {
    return call(CommandName.appSnapshot);
  }

  startSignIn(): Promise<DeviceCodePrompt> {
    return call(CommandName.startSignIn);
  }

  cancelSignIn(): Promise<null> {
    return call(CommandName.cancelSignIn);
  }

  signOut(): Promise<null> {
    return call(CommandName.signOut);
  }

  listGroupEligibilities(): Promise<GroupEligibility[]> {
    return call(CommandName.listGroupEligibilities);
  }

  openVerificationPage(): Promise<null> {
    return call(CommandName.openVerificationPage);
  }

  copyUserCode(): Promise<null> {
    return call(CommandName.copyUserCode);
  }

  listGroupActivations(): Promise<GroupActivation[]> {
    return call(CommandName.listGroupActivations);
  }

  listGroupRequests(): Promise<GroupRequest[]> {
    return call(CommandName.listGroupRequests);
  }

  activateGroups(inputs: ActivationInput[]): Promise<RequestOutcome[]> {
    return call(CommandName.activateGroups, { inputs });
  }

  deactivateGroup(groupId: string, access: GroupAccess): Promise<RequestOutcome> {
    return call(CommandName.deactivateGroup, { groupId, access });
  }

  cancelGroupRequest(requestId: string): Promise<null> {
    return call(CommandName.cancelGroupRequest, { requestId });
  }

  async onSessionChanged(callback: (session: SessionState) => void): Promise<Unsubscribe> {
    try {
      return await listen<SessionState>(EventName.sessionChanged, (event) => callback(event.payload));
    } catch (reason) {
      throw toAppError(reason);
    }
  }
}

/** Whether this page runs inside a Tauri web view (as opposed to a plain browser). */
export function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
