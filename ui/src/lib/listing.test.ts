import { describe, expect, it } from "vitest";
import { createListing } from "./listing.svelte";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("createListing", () => {
  it("loads, then keeps the list visible while it refreshes", async () => {
    const answers = [deferred<number[]>(), deferred<number[]>()];
    let call = 0;
    const listing = createListing(() => answers[call++]!.promise);
    expect(listing.state.status).toBe("loading");
    const first = listing.load();
    answers[0]!.resolve([1, 2]);
    expect(await first).toEqual({ status: "loaded", items: [1, 2] });

    const second = listing.load();
    expect(listing.refreshing).toBe(true);
    expect(listing.items).toEqual([1, 2]);
    answers[1]!.resolve([3]);
    await second;
    expect(listing.refreshing).toBe(false);
    expect(listing.items).toEqual([3]);
  });

  it("drops an older answer that arrives after a newer one", async () => {
    const answers = [deferred<string[]>(), deferred<string[]>()];
    let call = 0;
    const listing = createListing(() => answers[call++]!.promise);
    const older = listing.load();
    const newer = listing.load();
    answers[1]!.resolve(["new"]);
    await newer;
    answers[0]!.resolve(["old"]);
    expect(await older).toEqual({ status: "loaded", items: ["new"] });
    expect(listing.items).toEqual(["new"]);
  });

  it("turns a rejection into an AppError state", async () => {
    const listing = createListing<string>(() => Promise.reject({ code: "network", message: "Offline." }));
    expect(await listing.load()).toEqual({ status: "failed", error: { code: "network", message: "Offline." } });
    expect(listing.items).toEqual([]);
  });
});
