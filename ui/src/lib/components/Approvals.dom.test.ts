// @vitest-environment happy-dom
// The approver's inbox as Ada meets it on the in-memory backend: Ben's, Dmitri's and Grace's
// requests with who/what/why/ticket and a ticking 24-hour window; approve, deny with a reason,
// approve three at once, a request someone else decided first, and an empty inbox.
import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import { MemoryBackend, type Scenario } from "../memory-backend";
import SignedIn from "./SignedIn.svelte";
import { cleanUpAfterEach, mountInBody, settle, unmountFromBody } from "../testing/dom";

cleanUpAfterEach();

async function openInbox(scenario: Scenario = "approvals", setup?: (backend: MemoryBackend) => void) {
  const backend = MemoryBackend.scenario(scenario);
  setup?.(backend);
  const announced: string[] = [];
  mountInBody(SignedIn, { backend, announce: (m: string) => announced.push(m) });
  await settle();
  one("view-approvals")?.click();
  await settle();
  return { backend, announced };
}

const one = <T extends HTMLElement = HTMLElement>(id: string, within: ParentNode = document) =>
  within.querySelector<T>(`[data-testid="${id}"]`);
const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const text = (id: string, within: ParentNode) => one(id, within)?.textContent?.replace(/\s+/g, " ").trim();
const requesters = () => all("approval-row").map((r) => text("approval-requester", r));
const rowOf = (name: string) => all("approval-row").find((r) => text("approval-requester", r) === name);

function type(input: HTMLInputElement | null | undefined, value: string) {
  input!.value = value;
  input!.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

describe("the approver's inbox", { timeout: 30_000 }, () => {
  it("counts what waits on the tab and shows who, what, why, the ticket and a live countdown", async () => {
    await openInbox();
    expect(text("approvals-count", document)).toBe("3");
    expect(one("view-approvals")?.getAttribute("aria-current")).toBe("page");
    expect(requesters()).toEqual(["Ben Tanaka", "Dmitri Volkov", "Grace Liu"]);
    const ben = rowOf("Ben Tanaka")!;
    expect(text("approval-requester-mail", ben)).toBe("ben@fabrikam.example");
    expect(text("approval-target", ben)).toBe("Prod DB Admins");
    expect(text("approval-target-detail", ben)).toBe("Member");
    expect(text("approval-when", ben)).toMatch(/^for 2 h · starts when approved · asked 23 hours ago$/);
    expect(text("approval-justification", ben)).toBe("“Restore drill”");
    expect(text("approval-ticket", ben)).toBe("ServiceNow CHG-12");
    expect(text("approval-target-detail", rowOf("Grace Liu")!)).toBe("Berlin office");
    expect(text("approval-when", rowOf("Grace Liu")!)).not.toContain("when approved");
    // Ben asked 23 hours ago: about an hour is left, and it counts down.
    const before = text("approval-countdown", ben);
    expect(before).toMatch(/^(01:00:00|00:59:[0-5]\d)$/);
    // The shared machine may be slow: give the one-second tick up to three seconds to show.
    for (let waited = 0; waited < 3_000 && text("approval-countdown", ben) === before; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      flushSync();
    }
    expect(text("approval-countdown", ben)).not.toBe(before);
  });

  it("approves one: the decision carries its reason, the row goes and the result says so", async () => {
    const { backend, announced } = await openInbox();
    const dmitri = rowOf("Dmitri Volkov")!;
    type(one<HTMLInputElement>("decision-reason", dmitri), "Incident INC-7 confirmed");
    one("approve-button", dmitri)?.click();
    await settle();
    expect(backend.decisionCalls).toEqual([
      [{ plane: "directoryRole", approvalId: dmitri.dataset.approvalId, approve: true, justification: "Incident INC-7 confirmed" }],
    ]);
    expect(requesters()).toEqual(["Ben Tanaka", "Grace Liu"]);
    const result = all("decision-result");
    expect(result.map((r) => r.dataset.outcome)).toEqual(["approved"]);
    expect(result[0]?.textContent).toContain("Dmitri Volkov's request for Exchange Administrator");
    expect(announced.at(-1)).toBe("Approved: Dmitri Volkov's request for Exchange Administrator (Directory).");
    expect(text("approvals-count", document)).toBe("2");
  });

  it("denies with a reason, and shows the policy's refusal in place when the reason is missing", async () => {
    const { backend } = await openInbox();
    const ben = rowOf("Ben Tanaka")!;
    one("deny-button", ben)?.click();
    await settle();
    expect(one("decision-error", ben)?.dataset.code).toBe("invalidInput");
    expect(one("decision-error", ben)?.textContent).toContain("wants a reason from the approver");
    expect(requesters()).toContain("Ben Tanaka");
    expect(all("decision-result")).toEqual([]);

    type(one<HTMLInputElement>("decision-reason", ben), "No restore drill is planned this week");
    one("deny-button", ben)?.click();
    await settle();
    expect(backend.decisionCalls.at(-1)).toEqual([
      { plane: "group", approvalId: ben.dataset.approvalId, approve: false, justification: "No restore drill is planned this week" },
    ]);
    expect(requesters()).not.toContain("Ben Tanaka");
    expect(all("decision-result").map((r) => r.dataset.outcome)).toEqual(["denied"]);
  });

  it("approves three selected with one shared reason, in the order shown", async () => {
    const { backend } = await openInbox();
    const ids = all("approval-row").map((r) => r.dataset.approvalId);
    expect(one<HTMLButtonElement>("approve-selected")?.disabled).toBe(true);
    one<HTMLInputElement>("select-all-approvals")?.click();
    flushSync();
    expect(text("approve-selected", document)).toBe("Approve selected (3)");
    type(one<HTMLInputElement>("batch-reason"), "Change board approved");
    one("approve-selected")?.click();
    await settle();
    expect(backend.decisionCalls).toEqual([
      [
        { plane: "group", approvalId: ids[0], approve: true, justification: "Change board approved" },
        { plane: "directoryRole", approvalId: ids[1], approve: true, justification: "Change board approved" },
        { plane: "directoryRole", approvalId: ids[2], approve: true, justification: "Change board approved" },
      ],
    ]);
    expect(all("decision-result").map((r) => r.dataset.outcome)).toEqual(["approved", "approved", "approved"]);
    expect(one("approvals-empty")?.textContent).toContain("Nothing waits for your decision");
  });

  it("explains and removes a request another approver decided first, without calling it a failure", async () => {
    const { backend, announced } = await openInbox();
    const grace = rowOf("Grace Liu")!;
    backend.inbox.decideElsewhere(grace.dataset.approvalId!);
    one("approve-button", grace)?.click();
    await settle();
    expect(requesters()).toEqual(["Ben Tanaka", "Dmitri Volkov"]);
    const [line] = all("decision-result");
    expect(line?.dataset.outcome).toBe("alreadyDecided");
    expect(line?.textContent).toContain("another approver decided first");
    expect(all("decision-error")).toEqual([]);
    expect(document.querySelector('[role="alert"]')).toBeNull();
    expect(announced.at(-1)).toBe("Grace Liu's request for User Administrator (Berlin office) no longer waits for you.");
  });

  it("says so when nothing waits, and shows a plane it could not read beside the rest", async () => {
    await openInbox("signed-in");
    expect(one("approvals-empty")?.textContent).toContain("Nothing waits for your decision");
    expect(one("approvals-count")?.getAttribute("aria-hidden")).toBe("true");
    unmountFromBody();
    await openInbox("approvals", (b) => b.unavailable.set("directoryRole", { code: "forbidden", message: "No consent for roles." }));
    const inbox = one("approvals-view")!;
    expect([...inbox.querySelectorAll<HTMLElement>('[data-testid="plane-unavailable"]')].map((n) => n.dataset.plane)).toEqual([
      "directoryRole",
    ]);
    expect(requesters()).toEqual(["Ben Tanaka"]);
  });

  it("remembers the chosen view for the session, and opens on your access otherwise", async () => {
    const backend = MemoryBackend.scenario("approvals");
    mountInBody(SignedIn, { backend, announce: () => {} });
    await settle();
    expect(one("view-access")?.getAttribute("aria-current")).toBe("page");
    expect(one("approval-row")).toBeNull();
    one("view-approvals")?.click();
    await settle();
    unmountFromBody();
    mountInBody(SignedIn, { backend, announce: () => {} });
    await settle();
    expect(one("view-approvals")?.getAttribute("aria-current")).toBe("page");
    expect(all("approval-row")).toHaveLength(3);
  });
});
