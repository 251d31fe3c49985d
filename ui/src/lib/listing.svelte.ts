// A list loaded from the backend, with words for every state and no stale overwrites. Rust
// gathers every plane into one `Listing`; the planes it could not read travel along, so the UI
// shows what did load and says honestly what did not.
import { toAppError } from "./backend";
import type { AppError } from "./bindings/AppError";
import type { Listing } from "./bindings/Listing";
import type { PlaneFailure } from "./bindings/PlaneFailure";

export type ListingState<T> =
  | { status: "loading" }
  | { status: "loaded"; items: T[]; unavailable: PlaneFailure[] }
  | { status: "failed"; error: AppError };

export interface LiveList<T> {
  readonly state: ListingState<T>;
  /** True while a reload runs over a list that is still shown. */
  readonly refreshing: boolean;
  /** True while what is shown is the last known state from a previous start, not an answer yet. */
  readonly lastKnown: boolean;
  /** The items when loaded, else an empty list. */
  readonly items: T[];
  /** The planes that could not be read in the last load, else none. */
  readonly unavailable: PlaneFailure[];
  /** Loads again; resolves with the state it settled in (a superseded load resolves with the newer one's). */
  load(): Promise<ListingState<T>>;
  /**
   * Shows `items`, known from before, until a load answers; ignored once one has. A load that
   * fails afterwards shows its error, as it would have.
   */
  showLastKnown(items: T[]): void;
}

/**
 * Loads with `fetch`. A loaded list stays visible while it reloads; only the newest load may
 * change the state, so an older answer arriving late is dropped.
 */
export function createListing<T>(fetch: () => Promise<Listing<T>>): LiveList<T> {
  // Raw, not deep: a listing is replaced whole, never edited in place, and a deep proxy over
  // 2,000 eligibilities made every read in sorting, indexing and filtering go through a proxy.
  let state = $state.raw<ListingState<T>>({ status: "loading" });
  let refreshing = $state(false);
  let lastKnown = $state(false);
  let answered = false;
  let inFlight = false;
  let latest = 0;
  let pending: Promise<ListingState<T>> = Promise.resolve({ status: "loading" });

  async function run(request: number): Promise<ListingState<T>> {
    inFlight = true;
    if (state.status === "loaded") {
      refreshing = true;
    } else {
      state = { status: "loading" };
    }
    let next: ListingState<T>;
    try {
      const listing = await fetch();
      next = { status: "loaded", items: listing.items, unavailable: listing.unavailable };
    } catch (reason) {
      next = { status: "failed", error: toAppError(reason) };
    }
    if (request !== latest) {
      return pending;
    }
    state = next;
    refreshing = false;
    lastKnown = false;
    answered = true;
    inFlight = false;
    return next;
  }

  return {
    get state() {
      return state;
    },
    get refreshing() {
      return refreshing;
    },
    get lastKnown() {
      return lastKnown;
    },
    get items() {
      return state.status === "loaded" ? state.items : [];
    },
    get unavailable() {
      return state.status === "loaded" ? state.unavailable : [];
    },
    load() {
      pending = run(++latest);
      return pending;
    },
    showLastKnown(items: T[]) {
      if (answered) return;
      state = { status: "loaded", items, unavailable: [] };
      lastKnown = true;
      refreshing = inFlight;
    },
  };
}

/** Every plane that could not be read in any of `states`, once, with the first error seen. */
export function unavailablePlanes(states: readonly ListingState<unknown>[]): PlaneFailure[] {
  const seen = new Map<string, PlaneFailure>();
  for (const state of states) {
    if (state.status === "loaded") {
      for (const failure of state.unavailable) {
        if (!seen.has(failure.plane)) {
          seen.set(failure.plane, failure);
        }
      }
    }
  }
  return [...seen.values()];
}
