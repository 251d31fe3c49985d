// One sentence for the screen reader after the signed-in view loads or refreshes.
import type { GroupActivation } from "./bindings/GroupActivation";
import type { GroupEligibility } from "./bindings/GroupEligibility";
import type { GroupRequest } from "./bindings/GroupRequest";
import type { ListingState } from "./listing.svelte";
import { pendingRequests } from "./outcomes";

const count = (n: number, one: string, many: string) => `${n === 0 ? "no" : n} ${n === 1 ? one : many}`;

export function summarize(
  eligible: ListingState<GroupEligibility>,
  active: ListingState<GroupActivation>,
  requests: ListingState<GroupRequest>,
): string {
  const parts = [
    eligible.status === "loaded"
      ? `${count(eligible.items.length, "eligible group", "eligible groups")}`
      : "Your eligible groups did not load",
    active.status === "loaded"
      ? active.items.length === 0
        ? "nothing active"
        : `${active.items.length} active`
      : "what is active did not load",
    requests.status === "loaded"
      ? `${count(pendingRequests(requests.items).length, "request waiting", "requests waiting")}`
      : "your requests did not load",
  ];
  const sentence = parts.join(", ");
  return `${sentence[0]?.toUpperCase() ?? ""}${sentence.slice(1)}.`;
}
