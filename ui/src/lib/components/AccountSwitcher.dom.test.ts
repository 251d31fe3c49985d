// @vitest-environment happy-dom
// Several accounts in the window on the in-memory backend: switching from the header, adding
// one (the current stays until the new one signs in), and cancelling an add.
import { describe, expect, it } from "vitest";
import App from "../../App.svelte";
import type { Account } from "../bindings/Account";
import { MemoryBackend } from "../memory-backend";
import { cleanUpAfterEach, mountInBody, settle, unmountFromBody } from "../testing/dom";

cleanUpAfterEach();

const one = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const name = () => one("account-name")?.textContent?.trim();

const CHLOE: Account = { id: "chloe.t@sandbox", username: "chloe@fabrikam.example", displayName: "Chloe Park", tenantId: "t" };

describe("account switcher", { timeout: 30_000 }, () => {
  it("is a plain Add account button with one account, a list with several", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    mountInBody(App, { backend });
    await settle();
    expect(one("account-switcher")).toBeNull();
    expect(one("add-account")).not.toBeNull();
    unmountFromBody();

    const two = MemoryBackend.scenario("signed-in");
    two.addStoredAccount(CHLOE);
    mountInBody(App, { backend: two });
    await settle();
    const select = one("account-switcher") as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "Ada Okafor (ada@fabrikam.example)",
      "Chloe Park (chloe@fabrikam.example)",
    ]);
    expect(select.value).toBe(two.account.id);
  });

  it("switches to the chosen account and back", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    backend.addStoredAccount(CHLOE);
    mountInBody(App, { backend });
    await settle();
    const select = one("account-switcher") as HTMLSelectElement;
    select.value = CHLOE.id;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(backend.switchCalls).toEqual([CHLOE.id]);
    expect(name()).toBe("Chloe Park");
    const again = one("account-switcher") as HTMLSelectElement;
    expect(again.value).toBe(CHLOE.id);
    again.value = backend.account.id;
    again.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(name()).toBe("Ada Okafor");
    expect(one("account-error")).toBeNull();
  });

  it("adds an account beside the current one, and a cancelled add goes back to it", async () => {
    const backend = MemoryBackend.scenario("signed-in");
    mountInBody(App, { backend });
    await settle();
    one("add-account")!.click();
    await settle();
    expect(one("user-code")).not.toBeNull();
    one("cancel-sign-in")!.click();
    await settle();
    expect(name()).toBe("Ada Okafor");

    one("add-account")!.click();
    await settle();
    backend.completeSignIn(CHLOE);
    await settle();
    expect(name()).toBe("Chloe Park");
    const select = one("account-switcher") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual([CHLOE.id, backend.account.id]);
  });
});
