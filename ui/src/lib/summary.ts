// One sentence for the screen reader after the signed-in view loads or refreshes.
import type { Activation } from "./bindings/Activation";
import type { Eligibility } from "./bindings/Eligibility";
import type { PimRequest } from "./bindings/PimRequest";
import { unavailablePlanes, type ListingState } from "./listing.svelte";
import { pendingRequests } from "./outcomes";
import { countWords, planeTitle } from "./targets";

const count = (n: number, one: string, many: string) => `${n === 0 ? "no" : n} ${n === 1 ? one : many}`;

export function summarize(
  eligible: ListingState<Eligibility>,
  active: ListingState<Activation>,
  requests: ListingState<PimRequest>,
): string {
  const parts = [
    eligible.status === "loaded"
      ? eligible.items.length === 0
        ? "nothing eligible"
        : `eligible for ${countWords(eligible.items)}`
      : "what you are eligible for did not load",
    active.status === "loaded"
      ? active.items.length === 0
        ? "nothing active"
        : `${active.items.length} active`
      : "what is active did not load",
    requests.status === "loaded"
      ? `${count(pendingRequests(requests.items).length, "request waiting", "requests waiting")}`
      : "your requests did not load",
  ];
  const missing = unavailablePlanes([eligible, active, requests]).map((f) => `${planeTitle(f.plane)} could not be listed.`);
  const sentence = parts.join(", ");
  return [`${sentence[0]?.toUpperCase() ?? ""}${sentence.slice(1)}.`, ...missing].join(" ");
}
