// The Tauri backend must call Rust's commands by their registered names with the argument
// objects the contract names; a typo here only shows up in the real window otherwise.
import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));

const { TauriBackend } = await import("./tauri-backend");

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(null);
});

describe("TauriBackend", () => {
  it("calls the activation commands with the contract's argument names", async () => {
    const backend = new TauriBackend();
    const input = {
      groupId: "g",
      access: "member" as const,
      durationMinutes: 60,
      justification: "j",
      ticketNumber: null,
      ticketSystem: null,
      startAt: null,
    };
    await backend.listGroupActivations();
    await backend.listGroupRequests();
    await backend.activateGroups([input]);
    await backend.deactivateGroup("g", "owner");
    await backend.cancelGroupRequest("req-1");
    expect(invoke.mock.calls).toEqual([
      ["list_group_activations", undefined],
      ["list_group_requests", undefined],
      ["activate_groups", { inputs: [input] }],
      ["deactivate_group", { groupId: "g", access: "owner" }],
      ["cancel_group_request", { requestId: "req-1" }],
    ]);
  });

  it("rejects with an AppError whatever the command threw", async () => {
    invoke.mockRejectedValueOnce({ code: "tooSoonToDeactivate", message: "Wait 5 minutes." });
    invoke.mockRejectedValueOnce("command cancel_group_request not found");
    const backend = new TauriBackend();
    await expect(backend.deactivateGroup("g", "member")).rejects.toEqual({ code: "tooSoonToDeactivate", message: "Wait 5 minutes." });
    await expect(backend.cancelGroupRequest("r")).rejects.toEqual({
      code: "internal",
      message: "command cancel_group_request not found",
    });
  });
});
