// @vitest-environment happy-dom
// (Every backend call resolves in a microtask; `settle` lets the chains of loads run out.)
// The signed-in view as a user meets it, on the in-memory backend: groups and roles in one list,
// chips and search that narrow it, a role activated to "Active now", and an unreadable plane.
import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import { MemoryBackend, type Scenario } from "../memory-backend";
import Dashboard from "./Dashboard.svelte";
import { cleanUpAfterEach, mountInBody, settle } from "../testing/dom";

cleanUpAfterEach();

async function show(scenario: Scenario, setup?: (backend: MemoryBackend) => void) {
  const backend = MemoryBackend.scenario(scenario);
  setup?.(backend);
  const announced: string[] = [];
  mountInBody(Dashboard, { backend, announce: (m: string) => announced.push(m) });
  await settle();
  return { backend, announced };
}

const all = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];
const names = (plane?: string) =>
  all(`[data-testid="eligible-row"]${plane ? `[data-plane="${plane}"]` : ""}`).map(
    (row) => row.querySelector('[data-testid="eligible-name"]')?.textContent?.trim(),
  );
const row = (name: string) =>
  all('[data-testid="eligible-row"]').find((r) => r.querySelector('[data-testid="eligible-name"]')?.textContent?.trim() === name);
const chip = (plane: string) => document.querySelector<HTMLButtonElement>(`[data-testid="plane-filter"][data-plane="${plane}"]`);

function type(input: HTMLInputElement | HTMLTextAreaElement, text: string) {
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

// Generous: the machine is shared, and a mounted Dashboard does real work per test.
describe("Dashboard", { timeout: 30_000 }, () => {
  it("lists groups and roles together, and the chips narrow the list", async () => {
    await show("signed-in");
    expect(names("directoryRole")).toEqual([
      "Application Administrator",
      "Exchange Administrator",
      "Global Reader",
      "Security Reader",
      "User Administrator",
    ]);
    expect(names("group").length).toBe(8);
    expect(row("User Administrator")?.querySelector('[data-testid="eligible-access"]')?.textContent?.trim()).toBe("Berlin office");
    expect(row("Security Reader")?.querySelector('[data-testid="via-group"]')).not.toBeNull();
    expect(row("Global Reader")?.querySelector('[data-testid="via-group"]')).toBeNull();

    chip("directoryRole")?.click();
    flushSync();
    expect(chip("directoryRole")?.getAttribute("aria-pressed")).toBe("true");
    expect(names("group")).toEqual([]);
    expect(names("directoryRole").length).toBe(5);
    chip("group")?.click();
    flushSync();
    expect(names("directoryRole")).toEqual([]);
    expect(names("group").length).toBe(8);
  });

  it("finds a role by its administrative unit's name, and says when nothing matches", async () => {
    await show("signed-in");
    const search = document.querySelector<HTMLInputElement>('[data-testid="eligible-search"]');
    expect(search).not.toBeNull();
    type(search!, "berlin");
    expect(names()).toEqual(["User Administrator"]);
    type(search!, "no such thing");
    expect(names()).toEqual([]);
    expect(document.querySelector('[data-testid="eligible-no-match"]')?.textContent).toContain("no such thing");
  });

  it("activates a role through the memory backend and shows it under Active now", async () => {
    const { backend } = await show("signed-in");
    row("Global Reader")?.querySelector<HTMLButtonElement>('[data-testid="activate-button"]')?.click();
    await settle();
    const justification = document.querySelector<HTMLTextAreaElement>('[data-testid="justification"]');
    expect(justification).not.toBeNull();
    type(justification!, "Audit review AUD-12");
    document.querySelector<HTMLFormElement>('[data-testid="activation-form"]')?.requestSubmit();
    await settle();
    expect(backend.activationCalls.at(-1)?.map((i) => i.target)).toEqual([
      { plane: "directoryRole", roleDefinitionId: "f2ef992c-3afb-46b9-b7cf-a126ee74c451", directoryScopeId: "/" },
    ]);
    expect(document.querySelector<HTMLElement>('[data-testid="activation-outcome"]')?.dataset.status).toBe("provisioned");
    const active = all('[data-testid="active-row"]').find((r) => r.textContent?.includes("Global Reader"));
    expect(active?.dataset.plane).toBe("directoryRole");
    expect(active?.querySelector('[data-testid="active-countdown"]')?.textContent?.trim()).toMatch(/^\d/);
    expect(row("Global Reader")?.querySelector<HTMLElement>('[data-testid="eligibility-activity"]')?.dataset.activity).toBe("active");
  });

  it("starts the activation form at the default duration from Settings", async () => {
    await show("signed-in", (backend) => {
      backend.settings = { ...backend.settings, defaultDurationMinutes: 120 };
    });
    row("Global Reader")?.querySelector<HTMLButtonElement>('[data-testid="activate-button"]')?.click();
    await settle();
    expect(document.querySelector<HTMLInputElement>('[data-testid="duration-minutes"]')?.value).toBe("120");
  });

  it("pins a starred item on top, stores it by target, and unpins it", async () => {
    const { backend } = await show("signed-in");
    const before = names();
    const last = before.at(-1)!;
    expect(before[0]).not.toBe(last);
    const toggle = () => row(last)?.querySelector<HTMLButtonElement>('[data-testid="favourite-toggle"]');
    expect(toggle()?.getAttribute("aria-pressed")).toBe("false");
    toggle()?.click();
    await settle();
    expect(names()[0]).toBe(last);
    expect(toggle()?.getAttribute("aria-pressed")).toBe("true");
    expect(backend.favourites.map((f) => f.name)).toEqual([last]);
    toggle()?.click();
    await settle();
    expect(names()).toEqual(before);
    expect(backend.favourites).toEqual([]);
  });

  it("paints the last known list at once, marked, and replaces it with the fresh one", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { backend } = await show("signed-in", (b) => {
      const real = b.listEligibilities.bind(b);
      b.listEligibilities = async () => {
        await gate;
        return real();
      };
      b.lastKnownState = {
        eligibilitiesAt: "2026-12-01T08:00:00.000Z",
        eligibilities: [{ ...b.eligibilities[0]!, id: "old", name: "Yesterday's Group" }],
        activationsAt: null,
        activations: [],
      };
    });
    expect(names()).toEqual(["Yesterday's Group"]);
    expect(document.querySelector('[data-testid="last-known"]')?.textContent).toContain("Last known");
    open();
    await settle();
    expect(names()).not.toContain("Yesterday's Group");
    expect(names().length).toBe(backend.eligibilities.length);
    expect(document.querySelector('[data-testid="last-known"]')).toBeNull();
  });

  it("shows stored favourites pinned from the start", async () => {
    const probe = MemoryBackend.scenario("signed-in");
    const all = (await probe.listEligibilities()).items;
    const pick = all.at(-1)!;
    await show("signed-in", (backend) => {
      backend.favourites = [{ target: pick.target, name: "whatever", justification: null }];
    });
    expect(document.querySelector('[data-testid="eligible-row"] [data-testid="favourite-toggle"]')?.getAttribute("aria-pressed")).toBe("true");
  });

  it("deactivates a role and cancels a role's request with the role's target and plane", async () => {
    const { backend } = await show("active", (b) => {
      const exchange = b.eligibilities.find((e) => e.name === "Exchange Administrator");
      b.pim.seedRequest(
        { target: exchange!.target, durationMinutes: 60, justification: "Mailbox move", ticketNumber: "CHG-8", ticketSystem: null, startAt: null },
        "pendingApproval",
        Date.now() - 60_000,
      );
    });
    const reader = all('[data-testid="active-row"]').find((r) => r.querySelector('[data-testid="active-name"]')?.textContent?.trim() === "Global Reader");
    reader?.querySelector<HTMLButtonElement>('[data-testid="deactivate-button"]')?.click();
    await settle();
    expect(backend.deactivationCalls).toEqual([
      { plane: "directoryRole", roleDefinitionId: "f2ef992c-3afb-46b9-b7cf-a126ee74c451", directoryScopeId: "/" },
    ]);
    expect(all('[data-testid="active-name"]').map((n) => n.textContent?.trim())).not.toContain("Global Reader");

    const pending = all('[data-testid="pending-row"]').find((r) => r.textContent?.includes("Exchange Administrator"));
    pending?.querySelector<HTMLButtonElement>('[data-testid="cancel-request"]')?.click();
    await settle();
    expect(backend.cancelCalls).toEqual([{ plane: "directoryRole", requestId: expect.any(String) }]);
    expect(all('[data-testid="pending-name"]').map((n) => n.textContent?.trim())).not.toContain("Exchange Administrator");
  });

  it("says calmly which plane could not be listed, and still shows the other plane's rows", async () => {
    const { announced } = await show("roles-unavailable");
    const notices = all('[data-testid="plane-unavailable"]');
    expect(notices.map((n) => n.dataset.plane)).toEqual(["directoryRole"]);
    expect(notices[0]?.textContent).toContain("Directory roles couldn't be listed:");
    expect(notices[0]?.textContent).toContain("grant consent");
    expect(names("directoryRole")).toEqual([]);
    expect(names("group")).toContain("Prod DB Admins");
    expect(announced.at(-1)).toContain("Directory roles could not be listed.");
  });
});
