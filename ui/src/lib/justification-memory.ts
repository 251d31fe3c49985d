// The last justification typed per group and access, so the next activation starts prefilled.
// It is not secret, so the web view's localStorage is fine; a storage that throws (quota, privacy
// mode) just means nothing is remembered.
import type { GroupAccess } from "./bindings/GroupAccess";

/** The part of `Storage` this needs, so tests can pass a Map-backed fake. */
export type KeyValueStore = Pick<Storage, "getItem" | "setItem">;

interface Entry {
  text: string;
  /** When it was used, ms since the epoch; the newest wins for a selection of several groups. */
  at: number;
}

const PREFIX = "latchkey.justification.";

function key(groupId: string, access: GroupAccess): string {
  return `${PREFIX}${groupId}.${access}`;
}

export interface JustificationMemory {
  /** The newest justification used for any of these; "" when there is none. */
  recall(targets: readonly { groupId: string; access: GroupAccess }[]): string;
  /** Remembers `text` for each target (ignored when blank). */
  remember(targets: readonly { groupId: string; access: GroupAccess }[], text: string, nowMs: number): void;
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
    recall(targets) {
      let newest: Entry | null = null;
      for (const t of targets) {
        const entry = read(key(t.groupId, t.access));
        if (entry !== null && (newest === null || entry.at > newest.at)) {
          newest = entry;
        }
      }
      return newest?.text ?? "";
    },
    remember(targets, text, nowMs) {
      const trimmed = text.trim();
      if (trimmed === "") {
        return;
      }
      for (const t of targets) {
        try {
          store?.setItem(key(t.groupId, t.access), JSON.stringify({ text: trimmed, at: nowMs } satisfies Entry));
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
