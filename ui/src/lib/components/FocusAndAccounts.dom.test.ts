// @vitest-environment happy-dom
// The whole window on the in-memory backend: the tray asks for one item's activation form (an
// event to an open window, or a new window's #activate= fragment) and the form opens on it;
// after signing out, the other accounts still signed in are one click away.
import { afterEach, describe, expect, it } from "vitest";
import App from "../../App.svelte";
import type { Account } from "../bindings/Account";
import { clearFocusRequest } from "../focus-request";
import { MemoryBackend } from "../memory-backend";
import { cleanUpAfterEach, mountInBody, settle, unmountFromBody } from "../testing/dom";

cleanUpAfterEach();

afterEach(() => {
  clearFocusRequest();
  history.replaceState(null, "", "/");
});

const one = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const dialogTitle = () => document.querySelector("#activation-title")?.textContent?.trim() ?? null;
const PROD_DB_KEY = "group|9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd|member";

const CHLOE: Account = { id: "chloe.t@sandbox", username: "chloe@fabrikam.example", displayName: "Chloé Martin", tenantId: "t" };

describe("the tray asks for an item's activation form", { timeout: 30_000 }, () => {
  it("opens it in an open window, from the Approvals view too, focused on the justification", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    mountInBody(App, { backend });
    await settle();
    (one("view-approvals") as HTMLButtonElement).click();
    await settle();
    expect(dialogTitle()).toBeNull();

    backend.focusTarget(PROD_DB_KEY);
    await settle();
    expect(dialogTitle()).toBe("Activate Prod DB Admins");
    expect(one("view-access")?.getAttribute("aria-current")).toBe("page");
    expect(document.activeElement?.getAttribute("data-testid")).toBe("justification");
    expect(one("ticket-number")).not.toBeNull();
  });

  it("opens it in a new window named by its fragment, once, and says so for an item no longer eligible", async () => {
    history.replaceState(null, "", `/#activate=${encodeURIComponent(PROD_DB_KEY)}`);
    const backend = MemoryBackend.scenario("signed-in");
    mountInBody(App, { backend });
    await settle();
    expect(dialogTitle()).toBe("Activate Prod DB Admins");
    expect(location.hash).toBe("");
    (one("cancel-activation") as HTMLButtonElement).click();
    await settle();
    expect(dialogTitle()).toBeNull();
    // The form was opened from the item's row: closing it gives the focus back there.
    const row = document.activeElement?.closest('[data-testid="eligible-row"]');
    expect(row?.querySelector('[data-testid="eligible-name"]')?.textContent?.trim()).toBe("Prod DB Admins");

    backend.focusTarget("group|00000000-0000-0000-0000-000000000000|member");
    await settle();
    expect(dialogTitle()).toBeNull();
    expect(document.querySelector('[role="status"]')?.textContent).toContain("no longer in your eligible list");
  });
});

describe("the sign-in screen", { timeout: 30_000 }, () => {
  it("offers the accounts still signed in after signing one out", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    backend.addStoredAccount(CHLOE);
    mountInBody(App, { backend });
    await settle();
    (one("sign-out") as HTMLButtonElement).click();
    await settle();
    expect(one("sign-in-button")).not.toBeNull();
    const offers = all("continue-as");
    expect(offers.map((b) => b.textContent?.trim())).toEqual(["Continue as Chloé Martin"]);

    offers[0]?.click();
    await settle();
    expect(backend.switchCalls).toEqual([CHLOE.id]);
    expect(one("account-name")?.textContent?.trim()).toBe("Chloé Martin");
  });

  it("offers nobody when no other account is signed in, and says why a switch failed", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    mountInBody(App, { backend });
    await settle();
    (one("sign-out") as HTMLButtonElement).click();
    await settle();
    expect(one("sign-in-button")).not.toBeNull();
    expect(one("other-accounts")).toBeNull();
    unmountFromBody();
    document.body.innerHTML = "";

    const failing = MemoryBackend.scenario("signed-out");
    failing.addStoredAccount(CHLOE);
    failing.switchAccount = async () => {
      throw { code: "sessionExpired", message: "Chloé's saved sign-in has ended. Sign in again." };
    };
    mountInBody(App, { backend: failing });
    await settle();
    all("continue-as")[0]?.click();
    await settle();
    expect(one("continue-as-error")?.textContent).toContain("Sign in again");
    expect(one("sign-in-button")).not.toBeNull();
  });
});
