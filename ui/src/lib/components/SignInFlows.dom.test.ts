// @vitest-environment happy-dom
// The window as a person meets it on the in-memory backend: signing in with the browser (for
// organisations that block device code), cancelling it, and the tray opening the inbox.
import { describe, expect, it } from "vitest";
import App from "../../App.svelte";
import { MemoryBackend } from "../memory-backend";
import SignedIn from "./SignedIn.svelte";
import { cleanUpAfterEach, mountInBody, settle } from "../testing/dom";

cleanUpAfterEach();

const one = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

describe("browser sign-in", { timeout: 30_000 }, () => {
  it("waits with words for the browser, then shows the signed-in window", async () => {
    const backend = new MemoryBackend();
    mountInBody(App, { backend });
    await settle();
    one("browser-sign-in-button")!.click();
    await settle();
    expect(backend.browserSignIns).toBe(1);
    expect(one("browser-sign-in")?.textContent).toContain("Finish signing in in your browser");
    backend.completeSignIn();
    await settle();
    expect(one("browser-sign-in")).toBeNull();
    expect(one("account-name")?.textContent?.trim()).toBe("Ada Okafor");
  });

  it("cancel goes back to the sign-in screen without an error", async () => {
    const backend = new MemoryBackend();
    mountInBody(App, { backend });
    await settle();
    one("browser-sign-in-button")!.click();
    await settle();
    one("browser-sign-in-cancel")!.click();
    await settle();
    expect(backend.session).toEqual({ state: "signedOut", lastError: null });
    expect(one("sign-in-button")).not.toBeNull();
    expect(one("sign-in-error")).toBeNull();
  });
});

describe("the tray opens the inbox", { timeout: 30_000 }, () => {
  it("in a new window through #approvals, and in an open one through show-view", async () => {
    history.replaceState(null, "", "/#approvals");
    const backend = MemoryBackend.scenario("approvals");
    mountInBody(SignedIn, { backend, announce: () => {} });
    await settle();
    expect(one("view-approvals")?.getAttribute("aria-current")).toBe("page");
    one("view-access")!.click();
    await settle();
    expect(one("view-access")?.getAttribute("aria-current")).toBe("page");
    backend.showView("approvals");
    await settle();
    expect(one("view-approvals")?.getAttribute("aria-current")).toBe("page");
  });
});
