// @vitest-environment happy-dom
// Step-up in place: an activation refused for MFA offers "Verify and retry", which resends exactly
// the refused inputs after the browser sign-in, shows words while it waits, and can be canceled.
import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../memory-backend";
import Dashboard from "./Dashboard.svelte";
import { cleanUpAfterEach, mountInBody, settle } from "../testing/dom";

cleanUpAfterEach();

const one = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

/** Opens the form for Payments Console Admins (MFA) and On-call Responders (open) and sends it. */
async function activateMfaAndOpen() {
  const backend = MemoryBackend.scenario("signed-in", {});
  mountInBody(Dashboard, { backend, announce: () => {}, openActivation: ["ge-payments", "ge-oncall"] });
  await settle();
  const justification = one<HTMLTextAreaElement>("justification");
  justification!.value = "Refund batch RB-3";
  justification!.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
  one<HTMLFormElement>("activation-form")?.requestSubmit();
  await settle();
  return backend;
}

const statuses = () => all("activation-outcome").map((o) => o.dataset.status);

describe("step-up in place", { timeout: 30_000 }, () => {
  it("resends exactly the refused inputs after the browser sign-in and shows the new outcome", async () => {
    const backend = await activateMfaAndOpen();
    expect(statuses()).toEqual(["error", "provisioned"]);
    expect(all("activation-outcome")[0]?.textContent).toContain("multi-factor authentication");
    expect(one("retry-failed")).toBeNull();

    one("step-up-retry")?.click();
    await settle();
    const refused = backend.activationCalls[0]?.[0];
    expect(backend.stepUpCalls).toEqual([[refused]]);
    expect(one("step-up-waiting")?.textContent).toContain("Finish signing in in your browser…");
    expect(one<HTMLButtonElement>("close-outcomes")?.disabled).toBe(true);
    expect(document.activeElement).toBe(one("cancel-step-up"));

    backend.completeStepUp();
    await settle();
    expect(one("step-up-waiting")).toBeNull();
    expect(statuses()).toEqual(["provisioned", "provisioned"]);
    expect(one("step-up-retry")).toBeNull();
    expect(backend.activationCalls).toHaveLength(1);
  });

  it("cancels the sign-in with cancelStepUp, says so, and still offers Verify and retry", async () => {
    const backend = await activateMfaAndOpen();
    one("step-up-retry")?.click();
    await settle();
    one("cancel-step-up")?.click();
    await settle();
    expect(backend.cancelStepUpCalls).toBe(1);
    expect(one("step-up-waiting")).toBeNull();
    expect(one("step-up-error")?.dataset.code).toBe("signInCancelled");
    expect(one("step-up-error")?.textContent).toContain("Nothing was sent again.");
    expect(statuses()).toEqual(["error", "provisioned"]);
    expect(one("step-up-retry")).not.toBeNull();
    expect(one<HTMLButtonElement>("close-outcomes")?.disabled).toBe(false);
  });
});
