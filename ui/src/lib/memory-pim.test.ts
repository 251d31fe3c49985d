// The fake PIM behind MemoryBackend must behave like the real service, or the UI is tested
// against a fiction. Time is moved through the injected clock.
import { describe, expect, it } from "vitest";
import type { ActivationInput } from "./bindings/ActivationInput";
import type { Eligibility } from "./bindings/Eligibility";
import { MemoryBackend } from "./memory-backend";

const START = Date.parse("2026-03-10T12:00:00Z");
const MINUTE = 60_000;

function setup() {
  let now = START;
  const backend = MemoryBackend.scenario("signed-in", { now: () => now });
  const advance = (ms: number) => (now += ms);
  const item = (name: string): Eligibility => {
    const found = backend.eligibilities.find((e) => e.name === name);
    if (found === undefined) throw new Error(`no demo eligibility ${name}`);
    return found;
  };
  const input = (name: string, overrides: Partial<ActivationInput> = {}): ActivationInput => ({
    target: item(name).target,
    durationMinutes: 60,
    justification: "Investigating INC-1",
    ticketNumber: null,
    ticketSystem: null,
    startAt: null,
    ...overrides,
  });
  const activations = async () => (await backend.listActivations()).items;
  const requests = async () => (await backend.listRequests()).items;
  return { backend, advance, item, input, activations, requests, now: () => now };
}

describe("the memory backend's PIM", () => {
  it("covers every kind of policy the UI must show", () => {
    const { item: group } = setup();
    expect(group("On-call Responders").requirements).toMatchObject({ known: true, justification: false, maxDurationMinutes: 480 });
    expect(group("Platform Engineers").requirements).toMatchObject({ justification: true, ticket: false });
    expect(group("Prod DB Admins").requirements).toMatchObject({ justification: true, ticket: true, approval: true, maxDurationMinutes: 240 });
    expect(group("Payments Console Admins").requirements).toMatchObject({ mfa: true, maxDurationMinutes: 60 });
    expect(group("Kubernetes Cluster Admins").requirements.authenticationContext).toBe("c1");
    expect(group("Finance Readers").requirements.known).toBe(false);
  });

  it("provisions an immediate activation, ending start + duration, and lists it", async () => {
    const { backend, input, activations, requests } = setup();
    const [outcome] = await backend.activate([input("On-call Responders", { durationMinutes: 90 })]);
    expect(outcome).toMatchObject({ status: "provisioned", error: null, requestId: expect.any(String) });
    const [active] = await activations();
    expect(active).toMatchObject({ name: "On-call Responders", startDateTime: new Date(START).toISOString() });
    expect(Date.parse(active?.endDateTime ?? "")).toBe(START + 90 * MINUTE);
    const [request] = await requests();
    expect(request).toMatchObject({ status: "provisioned", durationMinutes: 90, action: "selfActivate" });
  });

  it("answers each item of a bulk activation on its own, in input order", async () => {
    const { backend, input } = setup();
    const outcomes = await backend.activate([
      input("Payments Console Admins"),
      input("On-call Responders"),
      input("Prod DB Admins", { ticketNumber: "CHG-1" }),
    ]);
    expect(outcomes.map((o) => o.status ?? o.error?.code)).toEqual(["stepUpRequired", "provisioned", "pendingApproval"]);
    expect(outcomes.map((o) => o.target)).toEqual([
      input("Payments Console Admins").target,
      input("On-call Responders").target,
      input("Prod DB Admins").target,
    ]);
  });

  it("asks for a step-up for MFA and authentication context until the sign-in is strong", async () => {
    const { backend, input, activations } = setup();
    const [mfa, acrs] = await backend.activate([input("Payments Console Admins"), input("Kubernetes Cluster Admins")]);
    expect(mfa?.error?.code).toBe("stepUpRequired");
    expect(mfa?.error?.message).toMatch(/multi-factor/);
    expect(acrs?.error?.code).toBe("stepUpRequired");
    expect(await activations()).toEqual([]);
    backend.pim.strongSignIn = true;
    const [again] = await backend.activate([input("Payments Console Admins")]);
    expect(again?.status).toBe("provisioned");
  });

  it("refuses what the policy refuses: too long, no justification, no ticket", async () => {
    const { backend, input, requests } = setup();
    const outcomes = await backend.activate([
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
    expect(await requests()).toEqual([]);
  });

  it("refuses a second activation of what is already active", async () => {
    const { backend, input } = setup();
    await backend.activate([input("On-call Responders")]);
    const [second] = await backend.activate([input("On-call Responders", { startAt: new Date(START + 60 * MINUTE).toISOString() })]);
    expect(second?.error?.code).toBe("alreadyActive");
  });

  it("keeps an approval request pending until an approver decides", async () => {
    const { backend, input, advance, activations, requests } = setup();
    const [pending] = await backend.activate([input("Prod DB Admins", { durationMinutes: 240, ticketNumber: "CHG-9" })]);
    expect(pending?.status).toBe("pendingApproval");
    expect(await activations()).toEqual([]);
    const [again] = await backend.activate([input("Prod DB Admins", { ticketNumber: "CHG-9" })]);
    expect(again?.error?.code).toBe("pendingRequest");

    advance(10 * MINUTE);
    backend.approve(pending?.requestId ?? "");
    const [active] = await activations();
    expect(Date.parse(active?.startDateTime ?? "")).toBe(START + 10 * MINUTE);
    expect(Date.parse(active?.endDateTime ?? "")).toBe(START + 250 * MINUTE);
    expect((await requests())[0]?.status).toBe("provisioned");
    expect(() => backend.approve(pending?.requestId ?? "")).toThrow(expect.objectContaining({ code: "alreadyDecided" }));
  });

  it("records a denial, and times an undecided request out after 24 h", async () => {
    const { backend, input, advance, requests } = setup();
    const [denied] = await backend.activate([input("Prod DB Admins", { ticketNumber: "CHG-1" })]);
    backend.deny(denied?.requestId ?? "");
    expect((await requests())[0]?.status).toBe("denied");

    await backend.activate([input("Prod DB Admins", { ticketNumber: "CHG-2" })]);
    advance(24 * 60 * MINUTE - 1);
    expect(backend.pendingRequestIds()).toHaveLength(1);
    advance(1);
    expect(backend.pendingRequestIds()).toHaveLength(0);
    expect((await requests())[0]?.status).toBe("timedOut");
  });

  it("grants a future start and provisions it when the time comes", async () => {
    const { backend, input, advance, activations } = setup();
    const startAt = new Date(START + 30 * MINUTE).toISOString();
    const [granted] = await backend.activate([input("On-call Responders", { startAt })]);
    expect(granted?.status).toBe("granted");
    expect(await activations()).toEqual([]);
    advance(30 * MINUTE);
    const [active] = await activations();
    expect(active?.startDateTime).toBe(startAt);
    expect(Date.parse(active?.endDateTime ?? "")).toBe(START + 90 * MINUTE);
  });

  it("clamps a start in the past to now", async () => {
    const { backend, input, activations } = setup();
    const [outcome] = await backend.activate([input("On-call Responders", { startAt: new Date(START - MINUTE).toISOString() })]);
    expect(outcome?.status).toBe("provisioned");
    expect((await activations())[0]?.startDateTime).toBe(new Date(START).toISOString());
  });

  it("refuses deactivation in the first 5 minutes, inside the outcome, then allows it", async () => {
    const { backend, input, advance, item, activations } = setup();
    await backend.activate([input("On-call Responders")]);
    const { target } = item("On-call Responders");
    advance(5 * MINUTE - 1);
    const early = await backend.deactivate(target);
    expect(early).toMatchObject({ status: null, error: { code: "tooSoonToDeactivate" } });
    expect(await activations()).toHaveLength(1);

    advance(1);
    const done = await backend.deactivate(target);
    expect(done).toMatchObject({ status: "revoked", error: null });
    expect(await activations()).toEqual([]);
    expect((await backend.deactivate(target)).error?.code).toBe("notActive");
  });

  it("ends an activation at its end time", async () => {
    const { backend, input, advance, activations } = setup();
    await backend.activate([input("On-call Responders", { durationMinutes: 30 })]);
    advance(30 * MINUTE - 1);
    expect(await activations()).toHaveLength(1);
    advance(1);
    expect(await activations()).toEqual([]);
  });

  it("cancels a pending request, and only a pending one", async () => {
    const { backend, input, requests } = setup();
    const [pending, active] = await backend.activate([
      input("Prod DB Admins", { ticketNumber: "CHG-3" }),
      input("On-call Responders"),
    ]);
    await expect(backend.cancelRequest("group", pending?.requestId ?? "")).resolves.toBeNull();
    const mine = await requests();
    expect(mine.find((r) => r.id === pending?.requestId)?.status).toBe("canceled");
    await expect(backend.cancelRequest("group", active?.requestId ?? "")).rejects.toMatchObject({ code: "invalidInput" });
    await expect(backend.cancelRequest("group", "nope")).rejects.toMatchObject({ code: "invalidInput" });
  });

  it("lists my requests newest first", async () => {
    const { backend, input, advance, requests } = setup();
    await backend.activate([input("On-call Responders")]);
    advance(MINUTE);
    await backend.activate([input("Prod DB Admins", { ticketNumber: "CHG-4" })]);
    expect((await requests()).map((r) => r.name)).toEqual(["Prod DB Admins", "On-call Responders"]);
  });

  it("has Ada's directory roles with the sandbox's built-in role ids, scopes and policies", () => {
    const { item } = setup();
    const role = (name: string) => {
      const { target, scopeName, requirements } = item(name);
      return { target, scopeName, requirements };
    };
    expect(role("Global Reader")).toMatchObject({
      target: { plane: "directoryRole", roleDefinitionId: "f2ef992c-3afb-46b9-b7cf-a126ee74c451", directoryScopeId: "/" },
      scopeName: "Directory",
      requirements: { justification: true, maxDurationMinutes: 480 },
    });
    expect(role("Exchange Administrator")).toMatchObject({
      target: { roleDefinitionId: "29232cdf-9323-42fd-ade2-1d097af3e4de", directoryScopeId: "/" },
      requirements: { ticket: true, approval: true, maxDurationMinutes: 240 },
    });
    expect(role("User Administrator")).toMatchObject({
      target: { roleDefinitionId: "fe930be7-5e62-47db-91af-98c3a49a38b1", directoryScopeId: expect.stringMatching(/^\/administrativeUnits\//) },
      scopeName: "Berlin office",
      requirements: { justification: true, maxDurationMinutes: 60 },
    });
    expect(role("Security Reader")).toMatchObject({ target: { roleDefinitionId: "5d6b6bb7-de71-4623-b4af-96380a352509" }, requirements: { mfa: true } });
    expect(role("Application Administrator")).toMatchObject({
      target: { roleDefinitionId: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3" },
      requirements: { authenticationContext: "c1" },
    });
  });

  it("activates a directory role, lists it with its scope, and ends it after 5 minutes", async () => {
    const { backend, input, item, advance, activations, requests } = setup();
    const [outcome] = await backend.activate([input("User Administrator", { justification: "Reset a password" })]);
    expect(outcome).toMatchObject({ target: item("User Administrator").target, status: "provisioned", error: null });
    const [active] = await activations();
    expect(active).toMatchObject({ name: "User Administrator", scopeName: "Berlin office", target: item("User Administrator").target });
    expect((await requests())[0]).toMatchObject({ name: "User Administrator", scopeName: "Berlin office", status: "provisioned" });
    advance(5 * MINUTE);
    expect(await backend.deactivate(item("User Administrator").target)).toMatchObject({ status: "revoked", error: null });
    expect(await activations()).toEqual([]);
  });

  it("tells a role at the directory from the same role at an administrative unit", async () => {
    const { backend, input } = setup();
    const berlin = input("User Administrator").target;
    const tenantWide = { ...berlin, directoryScopeId: "/" };
    const [outcome] = await backend.activate([{ ...input("User Administrator"), target: tenantWide }]);
    expect(outcome?.error).toMatchObject({ code: "policyRejected" });
  });

  it("cancels a role's request only on the directory role plane", async () => {
    const { backend, input, requests } = setup();
    const [pending] = await backend.activate([input("Exchange Administrator", { ticketNumber: "CHG-5" })]);
    expect(pending?.status).toBe("pendingApproval");
    await expect(backend.cancelRequest("group", pending?.requestId ?? "")).rejects.toMatchObject({ code: "invalidInput" });
    await backend.cancelRequest("directoryRole", pending?.requestId ?? "");
    expect((await requests())[0]?.status).toBe("canceled");
  });

  it("refuses every PIM command when signed out, with notSignedIn", async () => {
    const backend = new MemoryBackend();
    await expect(backend.listActivations()).rejects.toMatchObject({ code: "notSignedIn" });
    await expect(backend.listRequests()).rejects.toMatchObject({ code: "notSignedIn" });
    await expect(backend.deactivate({ plane: "group", groupId: "g", access: "member" })).rejects.toMatchObject({ code: "notSignedIn" });
    await expect(backend.activate([])).rejects.toMatchObject({ code: "notSignedIn" });
  });

  it("seeds the activation demos with an activation still in its first 5 minutes and two requests", async () => {
    const backend = MemoryBackend.scenario("activation", { now: () => START });
    const { items: activations } = await backend.listActivations();
    expect(activations.some((a) => START - Date.parse(a.startDateTime) < 5 * MINUTE)).toBe(true);
    expect(activations.map((a) => a.target.plane)).toEqual(expect.arrayContaining(["group", "directoryRole"]));
    const statuses = (await backend.listRequests()).items.map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining(["pendingApproval", "granted"]));
  });
});
