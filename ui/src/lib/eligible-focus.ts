// Asking the eligible list to bring one target into view and focus it — or open its activation
// form — from outside the list (a tray click, a notification). The list registers itself while
// it is mounted; a request made before it has loaded waits for it.
//
//   import { focusTarget } from "./eligible-focus";
//   focusTarget(targetKey(target), { activate: true });

/** What to bring into view: a `targetKey`, and whether to open its activation form. */
export interface FocusRequest {
  readonly key: string;
  readonly activate: boolean;
}

/** Handles a request; false when it cannot yet (the target is not listed, or not loaded). */
export type FocusHandler = (request: FocusRequest) => boolean;

let handler: FocusHandler | null = null;
let pending: FocusRequest | null = null;

/** Scrolls the eligible list to `key`'s row and focuses it; `activate` opens its form too. */
export function focusTarget(key: string, options: { activate?: boolean } = {}): void {
  const request: FocusRequest = { key, activate: options.activate ?? false };
  pending = handler !== null && handler(request) ? null : request;
}

/**
 * Makes `handle` the receiver of focus requests, and hands it the one waiting, if any. The
 * list calls it again whenever its items change, so a waiting request is retried then.
 * Returns the unregistration.
 */
export function onFocusRequest(handle: FocusHandler): () => void {
  handler = handle;
  if (pending !== null && handle(pending)) {
    pending = null;
  }
  return () => {
    if (handler === handle) {
      handler = null;
    }
  };
}

/** The request not handled yet (for tests and diagnostics). */
export function pendingFocusRequest(): FocusRequest | null {
  return pending;
}
