// @vitest-environment happy-dom
// The Settings view on the in-memory backend: it shows what is stored, refuses out-of-range
// values before sending anything, saves with the keyboard (Enter in a field) and shows what
// Rust stored (lead times sorted), and shows Rust's refusal when it still refuses.
import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../memory-backend";
import SignedIn from "./SignedIn.svelte";
import { cleanUpAfterEach, mountInBody, settle } from "../testing/dom";

cleanUpAfterEach();

const el = <T extends HTMLElement>(id: string) => {
  const found = document.querySelector<T>(`[data-testid="${id}"]`);
  if (found === null) {
    throw new Error(`no [data-testid="${id}"]`);
  }
  return found;
};

function type(id: string, value: string) {
  const input = el<HTMLInputElement>(id);
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

async function openSettings() {
  const backend = MemoryBackend.scenario("approvals");
  const announced: string[] = [];
  mountInBody(SignedIn, { backend, announce: (m: string) => announced.push(m) });
  await settle();
  el("view-settings").click();
  await settle();
  return { backend, announced };
}

describe("Settings", () => {
  it("shows the stored settings with labelled controls", async () => {
    await openSettings();
    expect(el<HTMLInputElement>("settings-leads").value).toBe("15, 5");
    expect(el<HTMLInputElement>("settings-duration").value).toBe("60");
    expect(el<HTMLInputElement>("settings-poll").value).toBe("60");
    expect(el<HTMLInputElement>("settings-start-at-login").checked).toBe(false);
    for (const id of ["settings-leads", "settings-duration", "settings-poll"]) {
      const input = el<HTMLInputElement>(id);
      expect(document.querySelector(`label[for="${input.id}"]`)?.textContent?.trim()).not.toBe("");
    }
    expect(el("settings-start-at-login").closest("label")?.textContent).toContain("Start Latchkey");
  });

  it("refuses an out-of-range value in the form without calling Rust", async () => {
    const { backend } = await openSettings();
    type("settings-poll", "5");
    el("settings-save").click();
    await settle();
    expect(el("settings-problem").textContent).toContain("15 seconds");
    expect(backend.settingsCalls).toEqual([]);
  });

  it("saves by submitting the form and shows what was stored", async () => {
    const { backend, announced } = await openSettings();
    type("settings-leads", "5, 30");
    type("settings-duration", "120");
    el<HTMLInputElement>("settings-start-at-login").click();
    flushSync();
    el<HTMLFormElement>("settings-leads").form?.requestSubmit();
    await settle();
    expect(backend.settingsCalls).toEqual([
      { leadMinutes: [30, 5], defaultDurationMinutes: 120, startAtLogin: true, approvalsPollSeconds: 60 },
    ]);
    expect(el<HTMLInputElement>("settings-leads").value).toBe("30, 5");
    expect(announced).toContain("Settings saved.");
    expect(el("settings-saved").getAttribute("aria-hidden")).toBe("false");
  });

  it("shows Rust's refusal when it refuses", async () => {
    const { backend } = await openSettings();
    backend.saveSettings = () => Promise.reject({ code: "internal", message: "Couldn't save the settings to /x (disk full)." });
    el("settings-save").click();
    await settle();
    expect(el("settings-save-error").textContent).toContain("disk full");
  });
});
