// The Tauri backend must call Rust's commands by their registered names with the argument
// objects the contract names; a typo here only shows up in the real window otherwise.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ActivationInput } from "./bindings/ActivationInput";
import type { DecisionInput } from "./bindings/DecisionInput";
import type { Target } from "./bindings/Target";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));

const { TauriBackend } = await import("./tauri-backend");

const USER_ADMIN_BERLIN: Target = {
  plane: "directoryRole",
  roleDefinitionId: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  directoryScopeId: "/administrativeUnits/0f6b4e1c-2a9d-4c83-b7e5-5d1a8c3f9e20",
};

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(null);
});

describe("TauriBackend", () => {
  it("lists, adds and switches accounts by the registered names", async () => {
    const backend = new TauriBackend();
    await backend.listAccounts();
    await backend.addAccount();
    await backend.switchAccount("oid.tid@sandbox");
    expect(invoke.mock.calls).toEqual([
      ["list_accounts", undefined],
      ["add_account", undefined],
      ["switch_account", { accountId: "oid.tid@sandbox" }],
    ]);
  });

  it("lists every plane with the plane-neutral commands", async () => {
    const backend = new TauriBackend();
    await backend.listEligibilities();
    await backend.listActivations();
    await backend.listRequests();
    expect(invoke.mock.calls).toEqual([
      ["list_eligibilities", undefined],
      ["list_activations", undefined],
      ["list_requests", undefined],
    ]);
  });

  it("sends a role's target as it is: activate, deactivate, and cancel by plane", async () => {
    const backend = new TauriBackend();
    const input: ActivationInput = {
      target: USER_ADMIN_BERLIN,
      durationMinutes: 60,
      justification: "j",
      ticketNumber: null,
      ticketSystem: null,
      startAt: null,
    };
    await backend.activate([input]);
    await backend.deactivate(USER_ADMIN_BERLIN);
    await backend.cancelRequest("directoryRole", "req-1");
    await backend.deactivate({ plane: "group", groupId: "g", access: "owner" });
    expect(invoke.mock.calls).toEqual([
      ["activate", { inputs: [input] }],
      ["deactivate", { target: USER_ADMIN_BERLIN }],
      ["cancel_request", { plane: "directoryRole", requestId: "req-1" }],
      ["deactivate", { target: { plane: "group", groupId: "g", access: "owner" } }],
    ]);
  });

  it("lists and decides approvals, and steps up with the same inputs", async () => {
    const backend = new TauriBackend();
    const input: ActivationInput = {
      target: { plane: "group", groupId: "g", access: "member" },
      durationMinutes: 30,
      justification: "j",
      ticketNumber: null,
      ticketSystem: null,
      startAt: null,
    };
    const decisions: DecisionInput[] = [
      { plane: "group", approvalId: "a-1", approve: true, justification: "ok" },
      { plane: "directoryRole", approvalId: "a-2", approve: false, justification: "no ticket" },
    ];
    await backend.listApprovals();
    await backend.decide(decisions);
    await backend.stepUpAndActivate([input]);
    await backend.cancelStepUp();
    expect(invoke.mock.calls).toEqual([
      ["list_approvals", undefined],
      ["decide", { inputs: decisions }],
      ["step_up_and_activate", { inputs: [input] }],
      ["cancel_step_up", undefined],
    ]);
  });

  it("rejects with an AppError whatever the command threw", async () => {
    invoke.mockRejectedValueOnce({ code: "tooSoonToDeactivate", message: "Wait 5 minutes." });
    invoke.mockRejectedValueOnce("command cancel_request not found");
    const backend = new TauriBackend();
    await expect(backend.deactivate(USER_ADMIN_BERLIN)).rejects.toEqual({ code: "tooSoonToDeactivate", message: "Wait 5 minutes." });
    await expect(backend.cancelRequest("group", "r")).rejects.toEqual({
      code: "internal",
      message: "command cancel_request not found",
    });
  });
});
