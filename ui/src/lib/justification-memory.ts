// The last justification typed per target, so the next activation starts prefilled. It is not
// secret, so the web view's localStorage is fine; a storage that throws (quota, privacy mode)
// just means nothing is remembered.
import type { Target } from "./bindings/Target";
import { targetKey } from "./targets";

/** The part of `Storage` this needs, so tests can pass a Map-backed fake. */
export type KeyValueStore = Pick<Storage, "getItem" | "setItem">;

interface Entry {
  text: string;
  /** When it was used, ms since the epoch; the newest wins for a selection of several targets. */
  at: number;
}

const PREFIX = "latchkey.justification.";

/** Where a target's justification is kept now. */
function key(target: Target): string {
  return `${PREFIX}${targetKey(target)}`;
}

/** Where versions before directory roles kept a group's ("{groupId}.{access}"), still read. */
function legacyKey(target: Target): string | null {
  return target.plane === "group" ? `${PREFIX}${target.groupId}.${target.access}` : null;
}

export interface JustificationMemory {
  /** The newest justification used for any of these; "" when there is none. */
  recall(items: readonly { target: Target }[]): string;
  /** Remembers `text` for each item's target (ignored when blank). */
  remember(items: readonly { target: Target }[], text: string, nowMs: number): void;
}

export function createJustificationMemory(store: KeyValueStore | null): JustificationMemory {
  const read = (k: string): Entry | null => {
    try {
      const raw = store?.getItem(k);
      if (raw == null) {
        return null;
      }
      const entry = JSON.parse(raw) as Partial<Entry>;
      return typeof entry.text === "string" && typeof entry.at === "number" ? { text: entry.text, at: entry.at } : null;
    } catch {
      return null;
    }
  };
  return {
    recall(items) {
      let newest: Entry | null = null;
      for (const { target } of items) {
        const legacy = legacyKey(target);
        for (const entry of [read(key(target)), legacy === null ? null : read(legacy)]) {
          if (entry !== null && (newest === null || entry.at > newest.at)) {
            newest = entry;
          }
        }
      }
      return newest?.text ?? "";
    },
    remember(items, text, nowMs) {
      const trimmed = text.trim();
      if (trimmed === "") {
        return;
      }
      for (const { target } of items) {
        try {
          store?.setItem(key(target), JSON.stringify({ text: trimmed, at: nowMs } satisfies Entry));
        } catch {
          // Full or forbidden storage: the next form is simply not prefilled.
        }
      }
    },
  };
}

/** The app's memory, in the web view's localStorage when there is one. */
export function browserJustificationMemory(): JustificationMemory {
  let store: KeyValueStore | null = null;
  try {
    store = typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    store = null; // some browsers throw on access when storage is disabled
  }
  return createJustificationMemory(store);
}
