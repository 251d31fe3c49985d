// "Show me this item's activation form": the tray asks for it when a favourite's policy needs
// more than one click (a ticket, a stronger sign-in, an approval). Rust sends the target key
// (`Target::key`, the UI's `targetKey`) as a `focus-target` event to an open window, or opens
// a new window on `#activate=<key>`. Whoever can act on it reads `focusRequest`:
//   - the Dashboard opens that item's activation form (a modal, focused on the justification)
//     once the eligible list has loaded, then calls `markFormOpened(seq)`;
//   - the eligible list may scroll to and highlight the row whose key is `targetKey` (the
//     request stays set after the form opened, until the next one replaces it or
//     `clearFocusRequest` is called).
// `seq` grows with every request, so asking twice for the same item is seen twice.
import { writable, type Readable } from "svelte/store";

export interface FocusRequest {
  /** The target key of the item to show (`targetKey(eligibility.target)`). */
  targetKey: string;
  /** Distinguishes repeated requests for the same item. */
  seq: number;
  /** Whether its activation form has been opened for this request. */
  formOpened: boolean;
}

const store = writable<FocusRequest | null>(null);
let lastSeq = 0;

/** The latest request, or null. */
export const focusRequest: Readable<FocusRequest | null> = { subscribe: store.subscribe };

/** Asks the window to show `targetKey`'s activation form; returns the request's `seq`. */
export function requestFocus(targetKey: string): number {
  lastSeq += 1;
  const seq = lastSeq;
  store.set({ targetKey, seq, formOpened: false });
  return seq;
}

/** The form was opened for request `seq` (a newer request is left alone). */
export function markFormOpened(seq: number): void {
  store.update((r) => (r !== null && r.seq === seq ? { ...r, formOpened: true } : r));
}

/** Forgets the request (say, after signing out). */
export function clearFocusRequest(): void {
  store.set(null);
}

/** The target key in a window's `#activate=<key>` fragment, or null. */
export function focusKeyFromHash(hash: string): string | null {
  const m = /^#activate=(.+)$/.exec(hash);
  if (m === null || m[1] === undefined) {
    return null;
  }
  try {
    // Rust encodes it as a form value: spaces as "+".
    const key = decodeURIComponent(m[1].replace(/\+/g, " "));
    return key.trim() === "" ? null : key;
  } catch {
    return null;
  }
}
