// Builders for tests: a valid object with sensible defaults, overridden where a test cares.
import type { GroupActivation } from "../bindings/GroupActivation";
import type { GroupEligibility } from "../bindings/GroupEligibility";
import type { Requirements } from "../bindings/Requirements";

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

export function eligibility(
  id: string,
  overrides: Partial<Omit<GroupEligibility, "requirements">> & { requirements?: Partial<Requirements> } = {},
): GroupEligibility {
  const { requirements: req, ...rest } = overrides;
  return {
    id,
    groupId: `gid-${id}`,
    groupName: `Group ${id}`,
    groupDescription: null,
    access: "member",
    memberType: "Direct",
    startDateTime: null,
    endDateTime: null,
    ...rest,
    requirements: requirements(req),
  };
}

export function activation(overrides: Partial<GroupActivation> = {}): GroupActivation {
  return {
    id: "act-1",
    groupId: "gid-1",
    groupName: "Prod DB Admins",
    access: "member",
    startDateTime: "2026-03-10T12:00:00Z",
    endDateTime: "2026-03-10T14:00:00Z",
    ...overrides,
  };
}
