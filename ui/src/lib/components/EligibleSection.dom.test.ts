// @vitest-environment happy-dom
// The eligible list is virtual: of 2,000 eligibilities only the rows in view (plus an overscan)
// are in the DOM, scrolling brings the later ones in, search counts what matches across all of
// them, the keyboard reaches rows that were not rendered, and focusTarget finds any row by key.
import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { Eligibility } from "../bindings/Eligibility";
import { focusTarget, pendingFocusRequest } from "../eligible-focus";
import { filterEligibilities } from "../eligible-filter";
import { createListing } from "../listing.svelte";
import { targetKey } from "../targets";
import { eligibility, roleEligibility } from "../testing/fixtures";
import EligibleSection from "./EligibleSection.svelte";

const N = 2_000;
// The viewport is not laid out in happy-dom: the list assumes 800 px, 8 rows of 100 px, plus
// an overscan of 8 on each side, and renders at least 30 rows; one more may be the focused one.
const MAX_RENDERED = 30 + 1;

let mounted: ReturnType<typeof mount> | null = null;

afterEach(() => {
  if (mounted !== null) {
    unmount(mounted);
    mounted = null;
  }
  document.body.innerHTML = "";
});

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    flushSync();
  }
}

/** Half groups, half roles, named so that the sorted order is their number. */
function tenant(n = N): Eligibility[] {
  return Array.from({ length: n }, (_, i) => {
    const id = String(i + 1).padStart(4, "0");
    return i % 2 === 0
      ? eligibility(id, { name: `Item ${id} group`, description: `Team ${i % 7}` })
      : roleEligibility(id, { name: `Item ${id} role` });
  });
}

async function show(items: Eligibility[], props: Record<string, unknown> = {}) {
  const listing = createListing(() => Promise.resolve({ items, unavailable: [] }));
  const activated: Eligibility[][] = [];
  mounted = mount(EligibleSection, {
    target: document.body,
    props: {
      listing,
      activity: new Map(),
      selected: [],
      onActivate: (chosen: Eligibility[]) => activated.push(chosen),
      onRetry: () => {},
      ...props,
    },
  });
  await listing.load();
  await settle();
  return { activated };
}

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-testid="eligible-row"]')];
const names = () => rows().map((r) => r.querySelector('[data-testid="eligible-name"]')?.textContent?.trim());
const positions = () => rows().map((r) => Number(r.getAttribute("aria-posinset")));
const list = () => document.querySelector<HTMLElement>('[data-testid="eligible-list"]');
const viewport = () => document.querySelector<HTMLElement>('[data-testid="eligible-viewport"]')!;

function type(text: string) {
  const input = document.querySelector<HTMLInputElement>('[data-testid="eligible-search"]')!;
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

async function scrollTo(px: number) {
  viewport().scrollTop = px;
  viewport().dispatchEvent(new Event("scroll"));
  await settle();
}

function key(on: Element, k: string, shiftKey = false) {
  on.dispatchEvent(new KeyboardEvent("keydown", { key: k, shiftKey, bubbles: true, cancelable: true }));
}

describe("EligibleSection, virtual", { timeout: 30_000 }, () => {
  it("renders only the rows in view of 2,000, and says how many there are", async () => {
    await show(tenant());
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().length).toBeLessThanOrEqual(MAX_RENDERED);
    expect(list()?.dataset.total).toBe(String(N));
    expect(list()?.getAttribute("role")).toBe("list");
    expect(rows().every((r) => r.getAttribute("role") === "listitem" && r.getAttribute("aria-setsize") === String(N))).toBe(true);
    expect(positions().slice(0, 3)).toEqual([1, 2, 3]);
    expect(names()[0]).toBe("Item 0001 group");
  });

  it("brings later rows in when scrolled, and drops the ones scrolled past", async () => {
    await show(tenant());
    await scrollTo(36 + 1_000 * 100);
    const at = positions();
    expect(at).toContain(1_001);
    expect(at).not.toContain(1);
    expect(rows().length).toBeLessThanOrEqual(MAX_RENDERED);
    expect(names()).toContain("Item 1001 group");
    // Each row sits where its position says, so nothing jumps.
    const row = rows().find((r) => r.getAttribute("aria-posinset") === "1001")!;
    expect(row.style.top).toBe(`${1_000 * 100}px`);
  });

  it("counts search results over every item, not over the rendered ones", async () => {
    const items = tenant();
    await show(items);
    type("role");
    expect(list()?.dataset.total).toBe(String(N / 2));
    type("team 3");
    const expected = filterEligibilities(items, "all", "team 3");
    expect(list()?.dataset.total).toBe(String(expected.length));
    expect(names()[0]).toBe(expected[0]?.name);
    type("item 1999");
    expect(names()).toEqual(["Item 1999 group"]);
    type("no such thing");
    expect(list()).toBeNull();
    expect(document.querySelector('[data-testid="eligible-no-match"]')).not.toBeNull();
  });

  it("keeps favourites on top", async () => {
    const items = tenant(50);
    const pinned = items[40]!;
    await show(items, { favourites: new Set([targetKey(pinned.target)]) });
    expect(names()[0]).toBe(pinned.name);
    expect(names()[1]).toBe("Item 0001 group");
  });

  it("moves focus with the arrow keys and Tab to rows that were not rendered", async () => {
    await show(tenant());
    const lastRendered = Math.max(...positions());
    const from = rows().find((r) => Number(r.getAttribute("aria-posinset")) === lastRendered)!;
    const button = from.querySelector<HTMLElement>('[data-testid="activate-button"]')!;
    button.focus();
    key(button, "ArrowDown");
    await settle();
    const focused = () => document.activeElement?.closest<HTMLElement>('[data-testid="eligible-row"]');
    expect(Number(focused()?.getAttribute("aria-posinset"))).toBe(lastRendered + 1);
    expect((document.activeElement as HTMLElement).dataset.testid).toBe("activate-button");

    key(document.activeElement!, "End");
    await settle();
    expect(focused()?.getAttribute("aria-posinset")).toBe(String(N));
    expect(positions()).not.toContain(1);

    // Tab from the last control of a row goes to the next row's first; Shift+Tab comes back.
    key(document.activeElement!, "Home");
    await settle();
    expect(focused()?.getAttribute("aria-posinset")).toBe("1");
    key(document.activeElement!, "Tab");
    await settle();
    expect(focused()?.getAttribute("aria-posinset")).toBe("2");
    expect((document.activeElement as HTMLElement).dataset.testid).toBe("select-eligibility");
    key(document.activeElement!, "Tab", true);
    await settle();
    expect(focused()?.getAttribute("aria-posinset")).toBe("1");
    expect((document.activeElement as HTMLElement).dataset.testid).toBe("activate-button");
  });

  it("focuses any target by key from outside, clearing a search that hides it, and can open its form", async () => {
    const items = tenant();
    const { activated } = await show(items);
    type("role");
    const wanted = items[1_500]!; // a group: hidden by the search
    focusTarget(targetKey(wanted.target), { activate: true });
    await settle();
    const focused = document.activeElement?.closest<HTMLElement>('[data-testid="eligible-row"]');
    expect(focused?.querySelector('[data-testid="eligible-name"]')?.textContent?.trim()).toBe(wanted.name);
    expect(list()?.dataset.total).toBe(String(N));
    expect(activated).toEqual([[wanted]]);
    expect(pendingFocusRequest()).toBeNull();

    focusTarget("group|nobody|member");
    expect(pendingFocusRequest()?.key).toBe("group|nobody|member");
  });
});
