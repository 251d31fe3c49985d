import { describe, expect, it } from "vitest";
import type { Listing } from "./bindings/Listing";
import type { PlaneFailure } from "./bindings/PlaneFailure";
import { createListing, unavailablePlanes } from "./listing.svelte";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const listing = <T>(items: T[], unavailable: PlaneFailure[] = []): Listing<T> => ({ items, unavailable });
const noRoles: PlaneFailure = { plane: "directoryRole", error: { code: "forbidden", message: "No consent for roles." } };

describe("createListing", () => {
  it("loads, then keeps the list visible while it refreshes", async () => {
    const answers = [deferred<Listing<number>>(), deferred<Listing<number>>()];
    let call = 0;
    const list = createListing(() => answers[call++]!.promise);
    expect(list.state.status).toBe("loading");
    const first = list.load();
    answers[0]!.resolve(listing([1, 2]));
    expect(await first).toEqual({ status: "loaded", items: [1, 2], unavailable: [] });

    const second = list.load();
    expect(list.refreshing).toBe(true);
    expect(list.items).toEqual([1, 2]);
    answers[1]!.resolve(listing([3]));
    await second;
    expect(list.refreshing).toBe(false);
    expect(list.items).toEqual([3]);
  });

  it("shows the last known items while the first load runs, then the answer; never after one", async () => {
    const answer = deferred<Listing<string>>();
    const list = createListing(() => answer.promise);
    const loading = list.load();
    list.showLastKnown(["from last time"]);
    expect(list.state).toEqual({ status: "loaded", items: ["from last time"], unavailable: [] });
    expect(list.lastKnown).toBe(true);
    expect(list.refreshing).toBe(true);
    answer.resolve(listing(["fresh"]));
    await loading;
    expect(list.items).toEqual(["fresh"]);
    expect(list.lastKnown).toBe(false);
    expect(list.refreshing).toBe(false);
    list.showLastKnown(["stale, arriving late"]);
    expect(list.items).toEqual(["fresh"]);
    expect(list.lastKnown).toBe(false);
  });

  it("keeps what loaded and says which plane could not be read", async () => {
    const list = createListing(() => Promise.resolve(listing(["Prod DB Admins"], [noRoles])));
    await list.load();
    expect(list.items).toEqual(["Prod DB Admins"]);
    expect(list.unavailable).toEqual([noRoles]);
  });

  it("drops an older answer that arrives after a newer one", async () => {
    const answers = [deferred<Listing<string>>(), deferred<Listing<string>>()];
    let call = 0;
    const list = createListing(() => answers[call++]!.promise);
    const older = list.load();
    const newer = list.load();
    answers[1]!.resolve(listing(["new"]));
    await newer;
    answers[0]!.resolve(listing(["old"], [noRoles]));
    expect(await older).toEqual({ status: "loaded", items: ["new"], unavailable: [] });
    expect(list.items).toEqual(["new"]);
  });

  it("turns a rejection into an AppError state", async () => {
    const list = createListing<string>(() => Promise.reject({ code: "network", message: "Offline." }));
    expect(await list.load()).toEqual({ status: "failed", error: { code: "network", message: "Offline." } });
    expect(list.items).toEqual([]);
    expect(list.unavailable).toEqual([]);
  });
});

describe("unavailablePlanes", () => {
  it("names each unreadable plane once across the lists, ignoring lists that failed or still load", () => {
    const other: PlaneFailure = { plane: "directoryRole", error: { code: "network", message: "Later." } };
    const planes = unavailablePlanes([
      { status: "loaded", items: [], unavailable: [noRoles] },
      { status: "loaded", items: [], unavailable: [other] },
      { status: "failed", error: { code: "network", message: "Offline." } },
      { status: "loading" },
    ]);
    expect(planes).toEqual([noRoles]);
    expect(unavailablePlanes([{ status: "loaded", items: [], unavailable: [] }])).toEqual([]);
  });
});
