// Component tests in happy-dom: one component mounted in the document body at a time, removed
// after each test together with what the app keeps in web storage, and `settle` to let the
// chains of backend calls (each resolving in a microtask or a zero timeout) run out.
import { flushSync, mount, unmount, type Component } from "svelte";
import { afterEach } from "vitest";

let mounted: ReturnType<typeof mount> | null = null;

/** Mounts `component` in the document body, in place of whatever was mounted before. */
export function mountInBody<Props extends Record<string, any>>(component: Component<Props>, props: Props): void {
  unmountFromBody();
  mounted = mount(component, { target: document.body, props });
}

/** Unmounts what `mountInBody` mounted and empties the body (as closing the window does). */
export function unmountFromBody(): void {
  if (mounted !== null) {
    unmount(mounted);
    mounted = null;
  }
  document.body.innerHTML = "";
}

/** Lets the chains of loads run out: a few rounds of timers and Svelte updates. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    flushSync();
  }
}

/** Call once at the top of a test file: after each test, nothing mounted, no stored state. */
export function cleanUpAfterEach(): void {
  afterEach(() => {
    unmountFromBody();
    localStorage.clear();
    sessionStorage.clear();
  });
}
