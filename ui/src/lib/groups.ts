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

/** Where an eligibility stands right now, as far as activating it again goes. */
export type Activity = "active" | "requested";

const activityKey = (groupId: string, access: string) => `${groupId.toLowerCase()}|${access}`;

/**
 * Eligibilities that are active now or have a request waiting (approval or a later start):
 * PIM refuses another activation for them, so the list offers none.
 */
export function activityByEligibility(
  eligibilities: readonly GroupEligibility[],
  activations: readonly { groupId: string; access: GroupAccess }[],
  requests: readonly { groupId: string; access: GroupAccess; action: string; status: string }[],
): Map<string, Activity> {
  const active = new Set(activations.map((a) => activityKey(a.groupId, a.access)));
  const requested = new Set(
    requests
      .filter((r) => r.action.toLowerCase() === "selfactivate" && (r.status === "pendingApproval" || r.status === "granted"))
      .map((r) => activityKey(r.groupId, r.access)),
  );
  const result = new Map<string, Activity>();
  for (const e of eligibilities) {
    const key = activityKey(e.groupId, e.access);
    if (active.has(key)) {
      result.set(e.id, "active");
    } else if (requested.has(key)) {
      result.set(e.id, "requested");
    }
  }
  return result;
}
