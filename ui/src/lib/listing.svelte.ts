// A list loaded from the backend, with words for every state and no stale overwrites.
import { toAppError } from "./backend";
import type { AppError } from "./bindings/AppError";

export type ListingState<T> =
  | { status: "loading" }
  | { status: "loaded"; items: T[] }
  | { status: "failed"; error: AppError };

export interface Listing<T> {
  readonly state: ListingState<T>;
  /** True while a reload runs over a list that is still shown. */
  readonly refreshing: boolean;
  /** The items when loaded, else an empty list. */
  readonly items: T[];
  /** Loads again; resolves with the state it settled in (a superseded load resolves with the newer one's). */
  load(): Promise<ListingState<T>>;
}

/**
 * Loads with `fetch`. A loaded list stays visible while it reloads; only the newest load may
 * change the state, so an older answer arriving late is dropped.
 */
export function createListing<T>(fetch: () => Promise<T[]>): Listing<T> {
  let state = $state<ListingState<T>>({ status: "loading" });
  let refreshing = $state(false);
  let latest = 0;
  let pending: Promise<ListingState<T>> = Promise.resolve({ status: "loading" });

  async function run(request: number): Promise<ListingState<T>> {
    if (state.status === "loaded") {
      refreshing = true;
    } else {
      state = { status: "loading" };
    }
    let next: ListingState<T>;
    try {
      next = { status: "loaded", items: await fetch() };
    } catch (reason) {
      next = { status: "failed", error: toAppError(reason) };
    }
    if (request !== latest) {
      return pending;
    }
    state = next;
    refreshing = false;
    return next;
  }

  return {
    get state() {
      return state;
    },
    get refreshing() {
      return refreshing;
    },
    get items() {
      return state.status === "loaded" ? state.items : [];
    },
    load() {
      pending = run(++latest);
      return pending;
    },
  };
}
