// Builders for tests: a valid object with sensible defaults, overridden where a test cares.
import type { Activation } from "../bindings/Activation";
import type { Eligibility } from "../bindings/Eligibility";
import type { Requirements } from "../bindings/Requirements";
import type { Target } from "../bindings/Target";

export const NO_REQUIREMENTS: Requirements = {
  known: true,
  maxDurationMinutes: null,
  justification: false,
  ticket: false,
  mfa: false,
  authenticationContext: null,
  approval: false,
};

export function requirements(overrides: Partial<Requirements> = {}): Requirements {
  return { ...NO_REQUIREMENTS, ...overrides };
}

type EligibilityOverrides = Partial<Omit<Eligibility, "requirements">> & { requirements?: Partial<Requirements> };

/** A group membership eligibility, "Group {id}" (group id `gid-{id}`). */
export function eligibility(id: string, overrides: EligibilityOverrides = {}): Eligibility {
  const { requirements: req, ...rest } = overrides;
  return {
    id,
    target: { plane: "group", groupId: `gid-${id}`, access: "member" },
    name: `Group ${id}`,
    description: null,
    scopeName: null,
    memberType: "Direct",
    startDateTime: null,
    endDateTime: null,
    ...rest,
    requirements: requirements(req),
  };
}

/** A directory role target; `scope` is "/" (the directory) or an administrative unit id. */
export function roleTarget(roleDefinitionId: string, scope = "/"): Target {
  return {
    plane: "directoryRole",
    roleDefinitionId,
    directoryScopeId: scope === "/" ? "/" : `/administrativeUnits/${scope}`,
  };
}

/** A directory role eligibility at the directory, "Role {id}" (definition id `rid-{id}`). */
export function roleEligibility(id: string, overrides: EligibilityOverrides = {}): Eligibility {
  return eligibility(id, { target: roleTarget(`rid-${id}`), name: `Role ${id}`, scopeName: "Directory", ...overrides });
}

export function activation(overrides: Partial<Activation> = {}): Activation {
  return {
    id: "act-1",
    target: { plane: "group", groupId: "gid-1", access: "member" },
    name: "Prod DB Admins",
    scopeName: null,
    startDateTime: "2026-03-10T12:00:00Z",
    endDateTime: "2026-03-10T14:00:00Z",
    ...overrides,
  };
}
