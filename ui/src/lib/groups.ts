// How eligible groups are named, labelled and ordered on screen.
import type { GroupAccess } from "./bindings/GroupAccess";
import type { GroupEligibility } from "./bindings/GroupEligibility";

/** Anything that names a group: an eligibility, an activation, a request. */
export type NamedGroup = Pick<GroupEligibility, "groupId" | "groupName">;

function usableName(group: NamedGroup): string | null {
  const name = group.groupName;
  return name !== null && name.trim() !== "" ? name : null;
}

/** Whether Graph returned a name for the group (it may not, e.g. for a deleted group). */
export function hasName(group: NamedGroup): boolean {
  return usableName(group) !== null;
}

/** The group's name, or its id when there is none. */
export function groupLabel(group: NamedGroup): string {
  return usableName(group) ?? group.groupId;
}

const ACCESS_LABELS: Record<GroupAccess, string> = {
  member: "Member",
  owner: "Owner",
  unknown: "Unknown",
};

/** "Member", "Owner" or "Unknown" (also for a value a newer Rust side might send). */
export function accessLabel(access: GroupAccess): string {
  return Object.hasOwn(ACCESS_LABELS, access) ? ACCESS_LABELS[access] : "Unknown";
}

const ACCESS_ORDER: Record<GroupAccess, number> = { member: 0, owner: 1, unknown: 2 };

function accessRank(access: GroupAccess): number {
  return Object.hasOwn(ACCESS_ORDER, access) ? ACCESS_ORDER[access] : 3;
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** A sorted copy: by label, then member before owner, then by id so the order is stable. */
export function sortGroups(groups: readonly GroupEligibility[]): GroupEligibility[] {
  return [...groups].sort(
    (a, b) =>
      collator.compare(groupLabel(a), groupLabel(b)) ||
      accessRank(a.access) - accessRank(b.access) ||
      a.id.localeCompare(b.id),
  );
}
