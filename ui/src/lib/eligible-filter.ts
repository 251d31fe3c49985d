// Narrowing the eligible list: a plane chip (All / Groups / Roles / Azure) and an instant search over
// what a row shows (name, description, access or scope). The lower-cased text each item is
// searched in is built once per listing (`indexEligibilities`), not on every keystroke.
import type { Eligibility } from "./bindings/Eligibility";
import type { Plane } from "./bindings/Plane";
import { targetDetail, targetKey, targetName } from "./targets";

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
  return filterIndexed(indexEligibilities(items), plane, query).map((entry) => entry.item);
}

/** An item with what searching and identifying it needs, computed once per listing. */
export interface IndexedEligibility {
  readonly item: Eligibility;
  /** `targetKey(item.target)`. */
  readonly key: string;
  /** Lower-cased name, description and access or scope. */
  readonly text: string;
}

/** The search index of a listing, in the order given. */
export function indexEligibilities(items: readonly Eligibility[]): IndexedEligibility[] {
  return items.map((item) => ({ item, key: targetKey(item.target), text: haystack(item) }));
}

/** The indexed items that match (as `matches`), in the order given; no text is built here. */
export function filterIndexed(
  index: readonly IndexedEligibility[],
  plane: PlaneFilter,
  query: string,
): IndexedEligibility[] {
  const wanted = words(query);
  if (plane === "all" && wanted.length === 0) {
    return index.slice();
  }
  return index.filter(
    (entry) => (plane === "all" || entry.item.target.plane === plane) && wanted.every((w) => entry.text.includes(w)),
  );
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
