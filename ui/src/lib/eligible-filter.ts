// Narrowing the eligible list: a plane chip (All / Groups / Roles / Azure) and an instant search over
// what a row shows (name, description, access or scope).
import type { Eligibility } from "./bindings/Eligibility";
import type { Plane } from "./bindings/Plane";
import { targetDetail, targetName } from "./targets";

export type PlaneFilter = "all" | Plane;

export const PLANE_FILTERS: readonly { value: PlaneFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "group", label: "Groups" },
  { value: "directoryRole", label: "Roles" },
  { value: "azureRole", label: "Azure" },
];

/** Lower-case words of a query; empty when it has none. */
function words(query: string): string[] {
  return query.toLocaleLowerCase().split(/\s+/).filter((w) => w !== "");
}

function haystack(item: Eligibility): string {
  return [targetName(item), item.description ?? "", targetDetail(item)].join("\n").toLocaleLowerCase();
}

/** Whether the item is in `plane` and every word of `query` appears in what its row shows. */
export function matches(item: Eligibility, plane: PlaneFilter, query: string): boolean {
  if (plane !== "all" && item.target.plane !== plane) {
    return false;
  }
  const text = haystack(item);
  return words(query).every((w) => text.includes(w));
}

/** The items that match, in the order given. */
export function filterEligibilities(items: readonly Eligibility[], plane: PlaneFilter, query: string): Eligibility[] {
  return items.filter((item) => matches(item, plane, query));
}

/** How many items each chip would show (ignoring the search, so the chips do not jump about). */
export function countByFilter(items: readonly Eligibility[]): Record<PlaneFilter, number> {
  return {
    all: items.length,
    group: items.filter((i) => i.target.plane === "group").length,
    directoryRole: items.filter((i) => i.target.plane === "directoryRole").length,
    azureRole: items.filter((i) => i.target.plane === "azureRole").length,
  };
}
