// The fake tenant's eligibilities and policies (the sandbox tenant's groups and Ada's directory
// roles, with one policy of each kind the UI must handle), and the activity the `active` and
// `activation` demos start with, and the requests that wait for Ada as an approver.
import type { Eligibility } from "./bindings/Eligibility";
import type { GroupAccess } from "./bindings/GroupAccess";
import type { Target } from "./bindings/Target";
import type { FakeInbox } from "./memory-approvals";
import { OPEN_POLICY, requirementsOf, type FakePim, type FakePolicy } from "./memory-pim";
import { targetKey } from "./targets";

const MINUTE = 60_000;
const DAY_MS = 24 * 60 * MINUTE;

interface DemoItem {
  eligibility: Omit<Eligibility, "requirements">;
  policy: FakePolicy;
  /** False when the UI cannot read the policy (it is enforced all the same). */
  readable: boolean;
}

/** The built-in role templates' ids, the same in every tenant. */
export const ROLE_TEMPLATES = {
  globalReader: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
  exchangeAdministrator: "29232cdf-9323-42fd-ade2-1d097af3e4de",
  userAdministrator: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  securityReader: "5d6b6bb7-de71-4623-b4af-96380a352509",
  applicationAdministrator: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
} as const;

/** The administrative unit User Administrator is scoped to. */
export const BERLIN_OFFICE_AU = "6a3e0b58-1f2c-4d97-a8b4-2c7e9d1f0a63";

interface Dates {
  since: string;
  inDays: (days: number) => string;
}

function groupItem(
  dates: Dates,
  id: string,
  groupId: string,
  name: string | null,
  description: string | null,
  access: GroupAccess,
  endDays: number | null,
  policy: Partial<FakePolicy>,
  readable = true,
): DemoItem {
  return {
    eligibility: {
      id,
      target: { plane: "group", groupId, access },
      name,
      description,
      scopeName: null,
      memberType: id === "ge-k8s" ? "Group" : "Direct",
      startDateTime: name === null ? null : dates.since,
      endDateTime: endDays === null ? null : dates.inDays(endDays),
    },
    policy: { ...OPEN_POLICY, ...policy },
    readable,
  };
}

function roleItem(
  dates: Dates,
  id: string,
  roleDefinitionId: string,
  name: string,
  scope: { id: string; name: string } | null,
  policy: Partial<FakePolicy>,
  memberType = "Direct",
): DemoItem {
  return {
    eligibility: {
      id,
      target: {
        plane: "directoryRole",
        roleDefinitionId,
        directoryScopeId: scope === null ? "/" : `/administrativeUnits/${scope.id}`,
      },
      name,
      description: null,
      scopeName: scope === null ? "Directory" : scope.name,
      memberType,
      startDateTime: dates.since,
      endDateTime: dates.inDays(365),
    },
    policy: { ...OPEN_POLICY, ...policy },
    readable: true,
  };
}

const PRODUCTION_SUBSCRIPTION = "/subscriptions/5f1c2a3e-8b7d-4c9e-a1f2-3d4e5f607182";

function azureItem(
  dates: Dates,
  id: string,
  roleGuid: string,
  name: string,
  scope: { id: string; name: string },
  policy: Partial<FakePolicy>,
  memberType = "Direct",
): DemoItem {
  return {
    eligibility: {
      id,
      target: {
        plane: "azureRole",
        scope: scope.id,
        // ARM prefixes role definition ids with the scope they were read at.
        roleDefinitionId: `${PRODUCTION_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
      },
      name,
      description: null,
      scopeName: scope.name,
      memberType,
      startDateTime: dates.since,
      endDateTime: dates.inDays(180),
    },
    policy: { ...OPEN_POLICY, ...policy },
    readable: true,
  };
}

function demo(nowMs: number): DemoItem[] {
  const dates: Dates = {
    since: new Date(nowMs - 30 * DAY_MS).toISOString(),
    inDays: (days) => new Date(nowMs + days * DAY_MS).toISOString(),
  };
  const berlin = { id: BERLIN_OFFICE_AU, name: "Berlin office" };
  return [
    groupItem(dates, "ge-prod-db", "9f474d24-eef8-4f36-8b86-bf8dc0cf2cfd", "Prod DB Admins",
      "Administrator on the production PostgreSQL fleet", "member", 5,
      { maxMinutes: 240, justification: true, ticket: true, approval: true }),
    groupItem(dates, "ge-platform-owner", "030de017-682a-48ed-8ca2-9ec91fb8101a", "Platform Engineers",
      "Owners manage membership of the platform team", "owner", null, { justification: true }),
    groupItem(dates, "ge-k8s", "720c50ef-9135-4f2d-b306-0eee8c3f0a15", "Kubernetes Cluster Admins",
      "cluster-admin on the production AKS clusters", "member", 180,
      { maxMinutes: 120, justification: true, authenticationContext: "c1" }),
    groupItem(dates, "ge-deleted", "4c1d9e0a-7b3f-4a55-8e21-6d0f9b2c7a44", null, null, "unknown", null, {}, false),
    groupItem(dates, "ge-payments", "da8ddf7b-f9e6-4083-a98f-1e67ee2c128d", "Payments Console Admins",
      "Admin role in the Payments Console app (provisioned by SCIM)", "member", 1.2,
      { maxMinutes: 60, justification: true, mfa: true }),
    groupItem(dates, "ge-oncall", "33f73669-9719-4f27-9afa-4a29fdc859ba", "On-call Responders",
      "Incident tooling and runbook automation", "member", 90, {}),
    groupItem(dates, "ge-secops", "61720dfa-9bb2-4dd0-ab40-39f7f66e4db0", "Security Operations",
      "SIEM and Defender administration", "member", 60, { maxMinutes: 60 }),
    groupItem(dates, "ge-finance", "faf71078-59cf-48a6-9896-52b1b054a999", "Finance Readers",
      "Read access to the finance data warehouse", "member", 30, { maxMinutes: 120 }, false),
    roleItem(dates, "re-global-reader", ROLE_TEMPLATES.globalReader, "Global Reader", null,
      { maxMinutes: 480, justification: true }),
    roleItem(dates, "re-exchange-admin", ROLE_TEMPLATES.exchangeAdministrator, "Exchange Administrator", null,
      { maxMinutes: 240, ticket: true, approval: true }),
    roleItem(dates, "re-user-admin-berlin", ROLE_TEMPLATES.userAdministrator, "User Administrator", berlin,
      { maxMinutes: 60, justification: true }),
    // Inherited through a role-assignable group, so the list shows "via group".
    roleItem(dates, "re-security-reader", ROLE_TEMPLATES.securityReader, "Security Reader", null, { mfa: true }, "Group"),
    roleItem(dates, "re-app-admin", ROLE_TEMPLATES.applicationAdministrator, "Application Administrator", null,
      { authenticationContext: "c1" }),
    // Azure resource roles, as the sandbox's demo tenant has them (real built-in role GUIDs).
    azureItem(dates, "ae-contributor-payments", "b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor",
      { id: `${PRODUCTION_SUBSCRIPTION}/resourceGroups/rg-payments-prod`, name: "rg-payments-prod (resource group)" },
      { maxMinutes: 240, justification: true }),
    azureItem(dates, "ae-reader-production", "acdd72a7-3385-485e-8ef8-5be8c8a79cc1", "Reader",
      { id: PRODUCTION_SUBSCRIPTION, name: "Fabrikam Production (subscription)" }, {}),
  ];
}

const UNKNOWN_REQUIREMENTS: Eligibility["requirements"] = {
  known: false,
  maxDurationMinutes: null,
  justification: false,
  ticket: false,
  mfa: false,
  authenticationContext: null,
  approval: false,
};

/** The fake tenant's eligibilities on every plane, with dates relative to `nowMs`. */
export function demoEligibilities(nowMs: number): Eligibility[] {
  return demo(nowMs).map((d) => ({
    ...d.eligibility,
    requirements: d.readable ? requirementsOf(d.policy) : { ...UNKNOWN_REQUIREMENTS },
  }));
}

/** What the fake enforces for each demo eligibility, including the ones the UI cannot read. */
export function demoPolicies(): Map<string, FakePolicy> {
  return new Map(demo(0).map((d) => [targetKey(d.eligibility.target), d.policy]));
}

function demoTarget(nowMs: number, id: string): Target | undefined {
  return demoEligibilities(nowMs).find((e) => e.id === id)?.target;
}

/**
 * Something to look at: a group activation still in its first 5 minutes, an older one, a role
 * activation, and two requests (one waiting for approval, one scheduled).
 */
export function seedDemoActivity(pim: FakePim, nowMs: number): void {
  const target = (id: string) => demoTarget(nowMs, id);
  const [oncall, platform, reader, prodDb, secops] = [
    target("ge-oncall"), target("ge-platform-owner"), target("re-global-reader"), target("ge-prod-db"), target("ge-secops"),
  ];
  if (!oncall || !platform || !reader || !prodDb || !secops) {
    return;
  }
  pim.seedActivation(oncall, nowMs - 2 * MINUTE, 60);
  pim.seedActivation(platform, nowMs - 95 * MINUTE, 180);
  pim.seedActivation(reader, nowMs - 20 * MINUTE, 240);
  pim.seedRequest(
    {
      target: prodDb,
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
      target: secops,
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

/** The sandbox tenant's people who ask Ada (an approver too) to decide. */
export const DEMO_REQUESTERS = {
  ben: { id: "fcbaf935-79fa-4c94-80bb-e882741ba324", displayName: "Ben Tanaka", mail: "ben@fabrikam.example" },
  dmitri: { id: "695d393b-8244-4b87-96a7-3acc12784ada", displayName: "Dmitri Volkov", mail: "dmitri@fabrikam.example" },
  grace: { id: "fb2f3881-f77d-4970-bb12-fbfea47072fa", displayName: "Grace Liu", mail: "grace@fabrikam.example" },
} as const;

/**
 * Three requests that wait for Ada's decision: Ben's restore drill on Prod DB Admins (whose policy
 * wants the approver's reason), Dmitri's Exchange Administrator for an incident, and Grace's
 * User Administrator in the Berlin office, scheduled for tomorrow morning.
 */
export function seedDemoInbox(inbox: FakeInbox, nowMs: number): void {
  const find = (id: string) => demoEligibilities(nowMs).find((e) => e.id === id);
  const [prodDb, exchange, userAdmin] = [find("ge-prod-db"), find("re-exchange-admin"), find("re-user-admin-berlin")];
  if (!prodDb || !exchange || !userAdmin) {
    return;
  }
  const tomorrowNine = new Date(nowMs + DAY_MS);
  tomorrowNine.setHours(9, 0, 0, 0);
  inbox.add({
    requester: DEMO_REQUESTERS.ben,
    target: prodDb.target,
    name: prodDb.name,
    scopeName: prodDb.scopeName,
    createdMs: nowMs - 23 * 60 * MINUTE,
    durationMinutes: 120,
    justification: "Restore drill",
    ticketNumber: "CHG-12",
    ticketSystem: "ServiceNow",
    approverJustificationRequired: true,
  });
  inbox.add({
    requester: DEMO_REQUESTERS.dmitri,
    target: exchange.target,
    name: exchange.name,
    scopeName: exchange.scopeName,
    createdMs: nowMs - 3 * 60 * MINUTE,
    durationMinutes: 60,
    justification: "Mail flow to the support queue is broken",
    ticketNumber: "INC-7",
    ticketSystem: "Jira",
  });
  inbox.add({
    requester: DEMO_REQUESTERS.grace,
    target: userAdmin.target,
    name: userAdmin.name,
    scopeName: userAdmin.scopeName,
    createdMs: nowMs - 25 * MINUTE,
    startDateTime: tomorrowNine.toISOString(),
    durationMinutes: 30,
    justification: "Onboard the three new Berlin starters",
  });
}
