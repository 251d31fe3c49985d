// @vitest-environment happy-dom
// The inbox's detail view and the requester's "Not granted" list, on the in-memory backend: Ada
// opens Ben's request and reads his earlier, denied request for the same group with the reason
// she gave; Dmitri has nothing earlier; an Azure request says plainly that Azure offers no such
// list. As a requester, a denial arrives with its reason and an expiry says it expired.
import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../memory-backend";
import { DEMO_REQUESTERS } from "../memory-demo";
import SignedIn from "./SignedIn.svelte";
import { cleanUpAfterEach, mountInBody, settle } from "../testing/dom";

cleanUpAfterEach();

const one = <T extends HTMLElement = HTMLElement>(id: string, within: ParentNode = document) =>
  within.querySelector<T>(`[data-testid="${id}"]`);
const all = (id: string, within: ParentNode = document) => [...within.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const text = (id: string, within: ParentNode) => one(id, within)?.textContent?.replace(/\s+/g, " ").trim();
const rowOf = (name: string) => all("approval-row").find((r) => text("approval-requester", r) === name);

const HOUR = 3_600_000;

async function mountSignedIn(backend: MemoryBackend) {
  mountInBody(SignedIn, { backend, announce: () => {} });
  await settle();
}

describe("the inbox's detail view", { timeout: 30_000 }, () => {
  it("shows the requester's earlier requests for the same target, with the reason given, and says when a plane has none", async () => {
    const backend = MemoryBackend.scenario("approvals");
    const now = Date.now();
    const ben = backend.inbox.waiting().find((i) => i.requester.id === DEMO_REQUESTERS.ben.id)!;
    const earlier = backend.inbox.add({
      requester: DEMO_REQUESTERS.ben,
      target: ben.target,
      name: ben.name,
      scopeName: ben.scopeName,
      createdMs: now - 20 * HOUR,
      durationMinutes: 240,
      justification: "Vacuum the big tables",
      ticketNumber: "CHG-3",
    });
    expect(backend.inbox.decide({ plane: "group", approvalId: earlier.approvalId, approve: false, justification: "Not during the freeze" }).decided).toBe(true);
    backend.inbox.add({
      requester: DEMO_REQUESTERS.grace,
      target: { plane: "azureRole", scope: "/subscriptions/5f1c2a3e", roleDefinitionId: "/subscriptions/5f1c2a3e/providers/Microsoft.Authorization/roleDefinitions/8e3af657" },
      name: "Owner",
      scopeName: "Fabrikam Production",
      createdMs: now - HOUR,
      durationMinutes: 60,
      justification: "Rotate the storage keys",
    });
    await mountSignedIn(backend);
    one("view-approvals")?.click();
    await settle();

    const benRow = rowOf("Ben Tanaka")!;
    const toggle = one<HTMLButtonElement>("approval-history-toggle", benRow)!;
    // A native button: in the tab order, Enter and Space work, and it says what it opens.
    expect(toggle.tagName).toBe("BUTTON");
    expect(toggle.getAttribute("aria-label")).toBe("Show Ben Tanaka's earlier requests for Prod DB Admins");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(one("approval-history", benRow)).toBeNull();

    toggle.click();
    await settle();
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const panel = one("approval-history", benRow)!;
    expect(toggle.getAttribute("aria-controls")).toBe(panel.id);
    expect(panel.getAttribute("aria-label")).toBe("Ben Tanaka's earlier requests for this");
    const past = all("approval-history-row", panel);
    expect(past).toHaveLength(1);
    expect(past[0]!.dataset.status).toBe("denied");
    expect(text("approval-history-status", past[0]!)).toBe("Denied by an approver");
    expect(text("approval-history-justification", past[0]!)).toBe("“Vacuum the big tables”");
    expect(text("approval-history-reason", past[0]!)).toBe("Reason given: Not during the freeze");
    // The request being decided is not its own history.
    expect(panel.textContent).not.toContain("Restore drill");

    toggle.click();
    await settle();
    expect(one("approval-history", benRow)).toBeNull();
    expect(toggle.getAttribute("aria-label")).toBe("Show Ben Tanaka's earlier requests for Prod DB Admins");

    const dmitriRow = rowOf("Dmitri Volkov")!;
    one<HTMLButtonElement>("approval-history-toggle", dmitriRow)!.click();
    await settle();
    expect(text("approval-history-empty", dmitriRow)).toBe("No earlier requests from Dmitri Volkov for this came to you for approval.");
    expect(all("approval-history-row", dmitriRow)).toHaveLength(0);

    const azureRow = all("approval-row").find((r) => r.dataset.plane === "azureRole")!;
    one<HTMLButtonElement>("approval-history-toggle", azureRow)!.click();
    await settle();
    expect(text("approval-history-unavailable", azureRow)).toBe(
      "Azure doesn't let an approver see a requester's earlier requests; only what waits for you is listed.",
    );
  });

  it("says in place when the history could not be read, and retries", async () => {
    const backend = MemoryBackend.scenario("approvals");
    const real = backend.approvalHistory.bind(backend);
    let fail = true;
    backend.approvalHistory = async (...args) => {
      if (fail) {
        throw { code: "network", message: "Latchkey could not reach Microsoft Graph." };
      }
      return real(...args);
    };
    await mountSignedIn(backend);
    one("view-approvals")?.click();
    await settle();
    const row = rowOf("Ben Tanaka")!;
    one<HTMLButtonElement>("approval-history-toggle", row)!.click();
    await settle();
    const error = one("approval-history-error", row)!;
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.dataset.code).toBe("network");
    fail = false;
    error.querySelector("button")!.click();
    await settle();
    expect(one("approval-history-error", row)).toBeNull();
    expect(one("approval-history-empty", row)).not.toBeNull();
  });
});

describe("the requester's refused requests", { timeout: 30_000 }, () => {
  it("shows a denial with the approver's reason, and an unanswered request as expired", async () => {
    const backend = MemoryBackend.scenario("approvals");
    const [pending] = backend.pendingRequestIds();
    backend.deny(pending!, "Not during the freeze");
    await mountSignedIn(backend);
    const rows = all("refused-row");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dataset.status).toBe("denied");
    expect(text("refused-name", rows[0]!)).toBe("Prod DB Admins");
    expect(text("refused-status", rows[0]!)).toBe("Denied");
    expect(text("refused-reason", rows[0]!)).toBe("Not during the freeze");
    // It no longer counts as waiting.
    expect(all("pending-row").map((r) => text("pending-name", r))).not.toContain("Prod DB Admins");
  });

  it("an unanswered request shows as expired after 24 hours, not as pending", async () => {
    let now = Date.now();
    const backend = MemoryBackend.scenario("approvals", { now: () => now });
    now += 25 * HOUR;
    await mountSignedIn(backend);
    const expired = all("refused-row").find((r) => r.dataset.status === "timedOut");
    expect(expired, document.body.innerHTML.slice(0, 300)).toBeDefined();
    expect(text("refused-status", expired!)).toBe("Expired: nobody decided within 24 hours");
    expect(one("refused-reason", expired!)).toBeNull();
    expect(all("pending-row").map((r) => text("pending-name", r))).not.toContain("Prod DB Admins");
  });
});
