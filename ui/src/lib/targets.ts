// What a PIM item is and how it reads on screen, for every plane: one key for identity, one set of
// labels, one order. Anything listed (eligibility, activation, request) carries a Target.
import type { Eligibility } from "./bindings/Eligibility";
import type { GroupAccess } from "./bindings/GroupAccess";
import type { Plane } from "./bindings/Plane";
import type { Target } from "./bindings/Target";

/** Anything that names a target: an eligibility, an activation, a request. */
export type Named = { target: Target; name: string | null; scopeName: string | null };

/**
 * A stable, case-insensitive key, the same as Rust's `Target::key` (Graph compares ids without
 * case). Everything that asks "is this the same thing?" goes through it.
 */
export function targetKey(target: Target): string {
  switch (target.plane) {
    case "group":
      return `group|${target.groupId.toLowerCase()}|${target.access}`;
    case "directoryRole":
      return `role|${target.roleDefinitionId.toLowerCase()}|${target.directoryScopeId.toLowerCase()}`;
    case "azureRole":
      return `azure|${target.scope.replace(/\/+$/, "").toLowerCase()}|${trailingGuid(target.roleDefinitionId).toLowerCase()}`;
  }
}

/** The last segment of an ARM id: a role definition's GUID whatever scope prefixes it. */
export function trailingGuid(id: string): string {
  const parts = id.replace(/\/+$/, "").split("/");
  return parts[parts.length - 1] ?? id;
}

/** Whether two targets name the same thing. */
export function sameTarget(a: Target, b: Target): boolean {
  return targetKey(a) === targetKey(b);
}

/** The planes this UI knows, in the order filters and notices show them. */
export const PLANES: readonly Plane[] = ["group", "directoryRole", "azureRole"];

const PLANE_NAMES: Record<Plane, { one: string; many: string; title: string; kind: string }> = {
  group: { one: "group", many: "groups", title: "Groups", kind: "Group" },
  directoryRole: { one: "role", many: "roles", title: "Directory roles", kind: "Directory role" },
  azureRole: { one: "Azure role", many: "Azure roles", title: "Azure resource roles", kind: "Azure role" },
};

/** "Group", "Directory role", "Azure role": what kind of thing a row is. */
export function planeKind(plane: Plane): string {
  return PLANE_NAMES[plane].kind;
}

/** "Groups", "Directory roles": a plane as a heading or in a notice. */
export function planeTitle(plane: Plane): string {
  return PLANE_NAMES[plane].title;
}

/** "1 group", "2 roles", "1 group and 2 roles". */
export function countWords(items: readonly { target: Target }[]): string {
  const parts = PLANES.flatMap((plane) => {
    const n = items.filter((i) => i.target.plane === plane).length;
    return n === 0 ? [] : [`${n} ${n === 1 ? PLANE_NAMES[plane].one : PLANE_NAMES[plane].many}`];
  });
  return parts.length === 0 ? "0 items" : parts.join(" and ");
}

function usableName(item: Named): string | null {
  return item.name !== null && item.name.trim() !== "" ? item.name : null;
}

/** Whether the service returned a name (it may not, e.g. for a deleted group). */
export function hasName(item: Named): boolean {
  return usableName(item) !== null;
}

/** The name, or the group or role definition id when there is none. */
export function targetName(item: Named): string {
  if (usableName(item) !== null) {
    return item.name as string;
  }
  switch (item.target.plane) {
    case "group":
      return item.target.groupId;
    case "directoryRole":
      return item.target.roleDefinitionId;
    case "azureRole":
      return trailingGuid(item.target.roleDefinitionId);
  }
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

/** Where a role applies, as Rust words it when the service gave no name. */
export function scopeLabel(item: Named): string {
  if (item.scopeName !== null && item.scopeName.trim() !== "") {
    return item.scopeName;
  }
  if (item.target.plane === "azureRole") {
    return item.target.scope;
  }
  if (item.target.plane !== "directoryRole") {
    return "";
  }
  const scope = item.target.directoryScopeId;
  const au = /^\/administrativeUnits\/(.+)$/.exec(scope);
  return scope === "/" ? "Directory" : au ? `Administrative unit ${au[1]}` : scope;
}

/** The second half of a label: "Member" or "Owner" for a group, the scope for a role. */
export function targetDetail(item: Named): string {
  return item.target.plane === "group" ? accessLabel(item.target.access) : scopeLabel(item);
}

function isTenantWide(target: Target): boolean {
  return target.plane === "directoryRole" && target.directoryScopeId === "/";
}

/**
 * What a sentence or a title calls it: the name, with the scope for a role that applies to less
 * than the whole directory ("User Administrator · Berlin office") and for every Azure role
 * ("Contributor · rg-payments-prod (resource group)").
 */
export function targetLabel(item: Named): string {
  const name = targetName(item);
  const scoped =
    item.target.plane === "azureRole" || (item.target.plane === "directoryRole" && !isTenantWide(item.target));
  return scoped ? `${name} · ${scopeLabel(item)}` : name;
}

/** The name with what tells it apart, for accessible names: "Prod DB Admins (member)". */
export function describedLabel(item: Named): string {
  const detail = targetDetail(item);
  return `${targetName(item)} (${item.target.plane === "group" ? detail.toLowerCase() : detail})`;
}

const ACCESS_ORDER: Record<GroupAccess, number> = { member: 0, owner: 1, unknown: 2 };

/** Member before owner before anything else; roles by scope, the whole directory first. */
function detailRank(item: Named): string {
  if (item.target.plane === "group") {
    const access = item.target.access;
    return String(Object.hasOwn(ACCESS_ORDER, access) ? ACCESS_ORDER[access] : 3);
  }
  return isTenantWide(item.target) ? "" : scopeLabel(item);
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** A sorted copy: by name, groups before roles of the same name, then access or scope, then id. */
export function sortEligibilities(items: readonly Eligibility[]): Eligibility[] {
  return [...items].sort(
    (a, b) =>
      collator.compare(targetName(a), targetName(b)) ||
      PLANES.indexOf(a.target.plane) - PLANES.indexOf(b.target.plane) ||
      collator.compare(detailRank(a), detailRank(b)) ||
      a.id.localeCompare(b.id),
  );
}

/** Where an eligibility stands right now, as far as activating it again goes. */
export type Activity = "active" | "requested";

/**
 * Targets (by `targetKey`) that are active now or have a request waiting (approval or a later
 * start): PIM refuses another activation for them, so the list offers none.
 */
export function activityByTarget(
  activations: readonly { target: Target }[],
  requests: readonly { target: Target; action: string; status: string }[],
): Map<string, Activity> {
  const result = new Map<string, Activity>();
  for (const r of requests) {
    if (r.action.toLowerCase() === "selfactivate" && (r.status === "pendingApproval" || r.status === "granted")) {
      result.set(targetKey(r.target), "requested");
    }
  }
  for (const a of activations) {
    result.set(targetKey(a.target), "active");
  }
  return result;
}
