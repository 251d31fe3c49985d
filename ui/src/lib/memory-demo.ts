// The fake tenant's eligibilities and policies (the sandbox tenant's groups, with one policy of
// each kind the UI must handle), and the activity the `activation` demos start with.
import type { GroupEligibility } from "./bindings/GroupEligibility";
import { OPEN_POLICY, requirementsOf, targetKey, type FakeGroupPim, type FakePolicy } from "./memory-pim";

const MINUTE = 60_000;
const DAY_MS = 24 * 60 * MINUTE;

interface DemoGroup {
  eligibility: Omit<GroupEligibility, "requirements">;
  policy: FakePolicy;
  /** False when the UI cannot read the policy (it is enforced all the same). */
  readable: boolean;
}

function demo(nowMs: number): DemoGroup[] {
  const inDays = (days: number) => new Date(nowMs + days * DAY_MS).toISOString();
  const since = new Date(nowMs - 30 * DAY_MS).toISOString();
  const group = (
    id: string,
    groupId: string,
    groupName: string | null,
    groupDescription: string | null,
    access: GroupEligibility["access"],
    endDays: number | null,
    policy: Partial<FakePolicy>,
    readable = true,
  ): DemoGroup => ({
    eligibility: {
      id,
      groupId,
      groupName,
      groupDescription,
      access,
      memberType: id === "ge-k8s" ? "Group" : "Direct",
      startDateTime: groupName === null ? null : since,
      endDateTime: endDays === null ? null : inDays(endDays),
    },
    policy: { ...OPEN_POLICY, ...policy },
    readable,
  });
  return [
    group("ge-prod-db", "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd", "Prod DB Admins",
      "Administrator on the production PostgreSQL fleet", "member", 5,
      { maxMinutes: 240, justification: true, ticket: true, approval: true }),
    group("ge-platform-owner", "030de017-682a-48ed-8ca2-9ec91fb8101a", "Platform Engineers",
      "Owners manage membership of the platform team", "owner", null, { justification: true }),
    group("ge-k8s", "720c50ef-9135-4f2d-b306-0eee8c3f0a15", "Kubernetes Cluster Admins",
      "cluster-admin on the production AKS clusters", "member", 180,
      { maxMinutes: 120, justification: true, authenticationContext: "c1" }),
    group("ge-deleted", "4c1d9e0a-7b3f-4a55-8e21-6d0f9b2c7a44", null, null, "unknown", null, {}, false),
    group("ge-payments", "da8ddf7b-f9e6-4083-a98f-1e67ee2c128d", "Payments Console Admins",
      "Admin role in the Payments Console app (provisioned by SCIM)", "member", 1.2,
      { maxMinutes: 60, justification: true, mfa: true }),
    group("ge-oncall", "33f73669-9719-4f27-9afa-4a29fdc859ba", "On-call Responders",
      "Incident tooling and runbook automation", "member", 90, {}),
    group("ge-secops", "61720dfa-9bb2-4dd0-ab40-39f7f66e4db0", "Security Operations",
      "SIEM and Defender administration", "member", 60, { maxMinutes: 60 }),
    group("ge-finance", "faf71078-59cf-48a6-9896-52b1b054a999", "Finance Readers",
      "Read access to the finance data warehouse", "member", 30, { maxMinutes: 120 }, false),
  ];
}

const UNKNOWN_REQUIREMENTS: GroupEligibility["requirements"] = {
  known: false,
  maxDurationMinutes: null,
  justification: false,
  ticket: false,
  mfa: false,
  authenticationContext: null,
  approval: false,
};

/** The fake tenant's eligibilities, with dates relative to `nowMs`. */
export function demoGroups(nowMs: number): GroupEligibility[] {
  return demo(nowMs).map((d) => ({
    ...d.eligibility,
    requirements: d.readable ? requirementsOf(d.policy) : { ...UNKNOWN_REQUIREMENTS },
  }));
}

/** What the fake enforces for each demo eligibility, including the ones the UI cannot read. */
export function demoPolicies(): Map<string, FakePolicy> {
  return new Map(demo(0).map((d) => [targetKey(d.eligibility.groupId, d.eligibility.access), d.policy]));
}

/** Something to look at: one activation still in its first 5 minutes, one older, two requests. */
export function seedDemoActivity(pim: FakeGroupPim, nowMs: number): void {
  const [prodDb, platform, , , , oncall, secops] = demoGroups(nowMs);
  if (prodDb === undefined || platform === undefined || oncall === undefined || secops === undefined) {
    return;
  }
  pim.seedActivation(oncall.groupId, oncall.access, nowMs - 2 * MINUTE, 60);
  pim.seedActivation(platform.groupId, platform.access, nowMs - 95 * MINUTE, 180);
  pim.seedRequest(
    {
      groupId: prodDb.groupId,
      access: prodDb.access,
      durationMinutes: 120,
      justification: "Rotate the replication credentials (CHG-2291)",
      ticketNumber: "CHG-2291",
      ticketSystem: "ServiceNow",
      startAt: null,
    },
    "pendingApproval",
    nowMs - 12 * MINUTE,
  );
  const tomorrowNine = new Date(nowMs + DAY_MS);
  tomorrowNine.setHours(9, 0, 0, 0);
  pim.seedRequest(
    {
      groupId: secops.groupId,
      access: secops.access,
      durationMinutes: 60,
      justification: "Quarterly Defender policy review",
      ticketNumber: null,
      ticketSystem: null,
      startAt: tomorrowNine.toISOString(),
    },
    "granted",
    nowMs - 40 * MINUTE,
  );
}
