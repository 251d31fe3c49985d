// Favourites: starred groups and roles, pinned on top of the eligible list. Rust stores them
// (favourites.json in the data dir) by target; the UI compares them by `targetKey`.
import type { Eligibility } from "./bindings/Eligibility";
import type { Favourite } from "./bindings/Favourite";
import { targetKey, targetName } from "./targets";

/** The favourites' target keys. */
export function favouriteKeys(favourites: readonly Favourite[]): Set<string> {
  return new Set(favourites.map((f) => targetKey(f.target)));
}

/** `items` with the favourites first; otherwise the order is kept. */
export function pinFavourites(items: readonly Eligibility[], keys: ReadonlySet<string>): Eligibility[] {
  const starred = items.filter((e) => keys.has(targetKey(e.target)));
  return [...starred, ...items.filter((e) => !keys.has(targetKey(e.target)))];
}

/**
 * The favourites with `item` starred or unstarred; a starred one carries the justification
 * remembered for it, so the tray can activate it in one click.
 */
export function toggleFavourite(favourites: readonly Favourite[], item: Eligibility, on: boolean, justification = ""): Favourite[] {
  const key = targetKey(item.target);
  const others = favourites.filter((f) => targetKey(f.target) !== key);
  const remembered = justification.trim() === "" ? null : justification.trim();
  return on ? [...others, { target: item.target, name: targetName(item), justification: remembered }] : others;
}
