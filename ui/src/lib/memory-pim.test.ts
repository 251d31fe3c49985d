// The fake PIM behind MemoryBackend must behave like the real service, or the UI is tested
// against a fiction. Time is moved through the injected clock.
import { describe, expect, it } from "vitest";
import type { ActivationInput } from "./bindings/ActivationInput";
import type { GroupEligibility } from "./bindings/GroupEligibility";
import { MemoryBackend } from "./memory-backend";

const START = Date.parse("2026-03-10T12:00:00Z");
const MINUTE = 60_000;

function setup() {
  let now = START;
  const backend = MemoryBackend.scenario("signed-in", { now: () => now });
  const advance = (ms: number) => (now += ms);
  const group = (name: string): GroupEligibility => {
    const found = backend.groups.find((g) => g.groupName === name);
    if (found === undefined) throw new Error(`no demo group ${name}`);
    return found;
  };
  const input = (name: string, overrides: Partial<ActivationInput> = {}): ActivationInput => ({
    groupId: group(name).groupId,
    access: group(name).access,
    durationMinutes: 60,
    justification: "Investigating INC-1",
    ticketNumber: null,
    ticketSystem: null,
    startAt: null,
    ...overrides,
  });
  return { backend, advance, group, input, now: () => now };
}

describe("the memory backend's PIM for Groups", () => {
  it("covers every kind of policy the UI must show", () => {
    const { group } = setup();
    expect(group("On-call Responders").requirements).toMatchObject({ known: true, justification: false, maxDurationMinutes: 480 });
    expect(group("Platform Engineers").requirements).toMatchObject({ justification: true, ticket: false });
    expect(group("Prod DB Admins").requirements).toMatchObject({ justification: true, ticket: true, approval: true, maxDurationMinutes: 240 });
    expect(group("Payments Console Admins").requirements).toMatchObject({ mfa: true, maxDurationMinutes: 60 });
    expect(group("Kubernetes Cluster Admins").requirements.authenticationContext).toBe("c1");
    expect(group("Finance Readers").requirements.known).toBe(false);
  });

  it("provisions an immediate activation, ending start + duration, and lists it", async () => {
    const { backend, input } = setup();
    const [outcome] = await backend.activateGroups([input("On-call Responders", { durationMinutes: 90 })]);
    expect(outcome).toMatchObject({ status: "provisioned", error: null, requestId: expect.any(String) });
    const [active] = await backend.listGroupActivations();
    expect(active).toMatchObject({ groupName: "On-call Responders", startDateTime: new Date(START).toISOString() });
    expect(Date.parse(active?.endDateTime ?? "")).toBe(START + 90 * MINUTE);
    const [request] = await backend.listGroupRequests();
    expect(request).toMatchObject({ status: "provisioned", durationMinutes: 90, action: "selfActivate" });
  });

  it("answers each item of a bulk activation on its own, in input order", async () => {
    const { backend, input } = setup();
    const outcomes = await backend.activateGroups([
      input("Payments Console Admins"),
      input("On-call Responders"),
      input("Prod DB Admins", { ticketNumber: "CHG-1" }),
    ]);
    expect(outcomes.map((o) => o.status ?? o.error?.code)).toEqual(["stepUpRequired", "provisioned", "pendingApproval"]);
    expect(outcomes.map((o) => o.groupId)).toEqual([
      input("Payments Console Admins").groupId,
      input("On-call Responders").groupId,
      input("Prod DB Admins").groupId,
    ]);
  });

  it("asks for a step-up for MFA and authentication context until the sign-in is strong", async () => {
    const { backend, input } = setup();
    const [mfa, acrs] = await backend.activateGroups([input("Payments Console Admins"), input("Kubernetes Cluster Admins")]);
    expect(mfa?.error?.code).toBe("stepUpRequired");
    expect(mfa?.error?.message).toMatch(/multi-factor/);
    expect(acrs?.error?.code).toBe("stepUpRequired");
    expect(await backend.listGroupActivations()).toEqual([]);
    backend.pim.strongSignIn = true;
    const [again] = await backend.activateGroups([input("Payments Console Admins")]);
    expect(again?.status).toBe("provisioned");
  });

  it("refuses what the policy refuses: too long, no justification, no ticket", async () => {
    const { backend, input } = setup();
    const outcomes = await backend.activateGroups([
      input("Security Operations", { durationMinutes: 61 }),
      input("Platform Engineers", { justification: "  " }),
      input("Prod DB Admins", { ticketNumber: null }),
    ]);
    expect(outcomes.map((o) => o.error?.code)).toEqual(["policyRejected", "policyRejected", "policyRejected"]);
    expect(outcomes.map((o) => o.error?.message)).toEqual([
      "The duration is missing or longer than the policy allows.",
      "A justification is required.",
      "A ticket number is required.",
    ]);
    expect(outcomes.every((o) => o.status === null && o.requestId === null)).toBe(true);
    expect(await backend.listGroupRequests()).toEqual([]);
  });

  it("refuses a second activation of what is already active", async () => {
    const { backend, input } = setup();
    await backend.activateGroups([input("On-call Responders")]);
    const [second] = await backend.activateGroups([input("On-call Responders", { startAt: new Date(START + 60 * MINUTE).toISOString() })]);
    expect(second?.error?.code).toBe("alreadyActive");
  });

  it("keeps an approval request pending until an approver decides", async () => {
    const { backend, input, advance } = setup();
    const [pending] = await backend.activateGroups([input("Prod DB Admins", { durationMinutes: 240, ticketNumber: "CHG-9" })]);
    expect(pending?.status).toBe("pendingApproval");
    expect(await backend.listGroupActivations()).toEqual([]);
    const [again] = await backend.activateGroups([input("Prod DB Admins", { ticketNumber: "CHG-9" })]);
    expect(again?.error?.code).toBe("pendingRequest");

    advance(10 * MINUTE);
    backend.approve(pending?.requestId ?? "");
    const [active] = await backend.listGroupActivations();
    expect(Date.parse(active?.startDateTime ?? "")).toBe(START + 10 * MINUTE);
    expect(Date.parse(active?.endDateTime ?? "")).toBe(START + 250 * MINUTE);
    expect((await backend.listGroupRequests())[0]?.status).toBe("provisioned");
    expect(() => backend.approve(pending?.requestId ?? "")).toThrow(expect.objectContaining({ code: "alreadyDecided" }));
  });

  it("records a denial, and times an undecided request out after 24 h", async () => {
    const { backend, input, advance } = setup();
    const [denied] = await backend.activateGroups([input("Prod DB Admins", { ticketNumber: "CHG-1" })]);
    backend.deny(denied?.requestId ?? "");
    expect((await backend.listGroupRequests())[0]?.status).toBe("denied");

    await backend.activateGroups([input("Prod DB Admins", { ticketNumber: "CHG-2" })]);
    advance(24 * 60 * MINUTE - 1);
    expect(backend.pendingRequestIds()).toHaveLength(1);
    advance(1);
    expect(backend.pendingRequestIds()).toHaveLength(0);
    expect((await backend.listGroupRequests())[0]?.status).toBe("timedOut");
  });

  it("grants a future start and provisions it when the time comes", async () => {
    const { backend, input, advance } = setup();
    const startAt = new Date(START + 30 * MINUTE).toISOString();
    const [granted] = await backend.activateGroups([input("On-call Responders", { startAt })]);
    expect(granted?.status).toBe("granted");
    expect(await backend.listGroupActivations()).toEqual([]);
    advance(30 * MINUTE);
    const [active] = await backend.listGroupActivations();
    expect(active?.startDateTime).toBe(startAt);
    expect(Date.parse(active?.endDateTime ?? "")).toBe(START + 90 * MINUTE);
  });

  it("clamps a start in the past to now", async () => {
    const { backend, input } = setup();
    const [outcome] = await backend.activateGroups([input("On-call Responders", { startAt: new Date(START - MINUTE).toISOString() })]);
    expect(outcome?.status).toBe("provisioned");
    expect((await backend.listGroupActivations())[0]?.startDateTime).toBe(new Date(START).toISOString());
  });

  it("refuses deactivation in the first 5 minutes, inside the outcome, then allows it", async () => {
    const { backend, input, advance, group } = setup();
    await backend.activateGroups([input("On-call Responders")]);
    const { groupId, access } = group("On-call Responders");
    advance(5 * MINUTE - 1);
    const early = await backend.deactivateGroup(groupId, access);
    expect(early).toMatchObject({ status: null, error: { code: "tooSoonToDeactivate" } });
    expect(await backend.listGroupActivations()).toHaveLength(1);

    advance(1);
    const done = await backend.deactivateGroup(groupId, access);
    expect(done).toMatchObject({ status: "revoked", error: null });
    expect(await backend.listGroupActivations()).toEqual([]);
    expect((await backend.deactivateGroup(groupId, access)).error?.code).toBe("notActive");
  });

  it("ends an activation at its end time", async () => {
    const { backend, input, advance } = setup();
    await backend.activateGroups([input("On-call Responders", { durationMinutes: 30 })]);
    advance(30 * MINUTE - 1);
    expect(await backend.listGroupActivations()).toHaveLength(1);
    advance(1);
    expect(await backend.listGroupActivations()).toEqual([]);
  });

  it("cancels a pending request, and only a pending one", async () => {
    const { backend, input } = setup();
    const [pending, active] = await backend.activateGroups([
      input("Prod DB Admins", { ticketNumber: "CHG-3" }),
      input("On-call Responders"),
    ]);
    await expect(backend.cancelGroupRequest(pending?.requestId ?? "")).resolves.toBeNull();
    const requests = await backend.listGroupRequests();
    expect(requests.find((r) => r.id === pending?.requestId)?.status).toBe("canceled");
    await expect(backend.cancelGroupRequest(active?.requestId ?? "")).rejects.toMatchObject({ code: "invalidInput" });
    await expect(backend.cancelGroupRequest("nope")).rejects.toMatchObject({ code: "invalidInput" });
  });

  it("lists my requests newest first", async () => {
    const { backend, input, advance } = setup();
    await backend.activateGroups([input("On-call Responders")]);
    advance(MINUTE);
    await backend.activateGroups([input("Prod DB Admins", { ticketNumber: "CHG-4" })]);
    expect((await backend.listGroupRequests()).map((r) => r.groupName)).toEqual(["Prod DB Admins", "On-call Responders"]);
  });

  it("refuses every group command when signed out, with notSignedIn", async () => {
    const backend = new MemoryBackend();
    await expect(backend.listGroupActivations()).rejects.toMatchObject({ code: "notSignedIn" });
    await expect(backend.listGroupRequests()).rejects.toMatchObject({ code: "notSignedIn" });
    await expect(backend.activateGroups([])).rejects.toMatchObject({ code: "notSignedIn" });
  });

  it("seeds the activation demos with an activation still in its first 5 minutes and two requests", async () => {
    const backend = MemoryBackend.scenario("activation", { now: () => START });
    const activations = await backend.listGroupActivations();
    expect(activations.some((a) => START - Date.parse(a.startDateTime) < 5 * MINUTE)).toBe(true);
    const statuses = (await backend.listGroupRequests()).map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining(["pendingApproval", "granted"]));
  });
});
