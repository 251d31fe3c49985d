// What a PIM policy asks of an activation, as badges on a row and as limits for a selection.
import type { Eligibility } from "./bindings/Eligibility";
import type { Requirements } from "./bindings/Requirements";
import { targetLabel } from "./targets";
import { formatMinutes } from "./time";

export type BadgeKind = "justification" | "ticket" | "mfa" | "approval" | "authContext" | "maxDuration" | "unknown";

export interface Badge {
  kind: BadgeKind;
  /** Short text on the badge. */
  label: string;
  /** What it means, for a tooltip and screen readers. */
  description: string;
}

/** The badges for one policy, in a fixed order; only "requirements unknown" when it was not readable. */
export function requirementBadges(requirements: Requirements): Badge[] {
  if (!requirements.known) {
    return [
      {
        kind: "unknown",
        label: "requirements unknown",
        description: "Latchkey could not read this policy; the service decides when you activate.",
      },
    ];
  }
  const badges: Badge[] = [];
  if (requirements.justification) {
    badges.push({ kind: "justification", label: "Justification", description: "Needs a justification." });
  }
  if (requirements.ticket) {
    badges.push({ kind: "ticket", label: "Ticket", description: "Needs a ticket number." });
  }
  if (requirements.mfa) {
    badges.push({ kind: "mfa", label: "MFA", description: "Needs a sign-in with multi-factor authentication." });
  }
  if (requirements.approval) {
    badges.push({ kind: "approval", label: "Approval", description: "An approver must approve it (within 24 h)." });
  }
  if (requirements.authenticationContext !== null) {
    badges.push({
      kind: "authContext",
      label: "Auth context",
      description: `Needs a sign-in that satisfies authentication context ${requirements.authenticationContext}.`,
    });
  }
  if (requirements.maxDurationMinutes !== null) {
    const max = formatMinutes(requirements.maxDurationMinutes);
    badges.push({ kind: "maxDuration", label: `max ${max}`, description: `Active for at most ${max}.` });
  }
  return badges;
}

/**
 * The longest duration the UI accepts when no selected policy states a maximum. PIM allows at
 * most 24 h for any activation, so nothing valid is refused; the service decides below that.
 */
export const FALLBACK_MAX_MINUTES = 24 * 60;

/** What a form for several eligibilities at once has to ask and allow. */
export interface SelectionRules {
  /** The smallest stated maximum, or null when no selected policy states one. */
  maxMinutes: number | null;
  /** Who sets `maxMinutes` (labels), for a message that says why. */
  maxSetBy: string[];
  /** Labels of the selected items whose policy needs a justification. */
  justificationFor: string[];
  /** Labels of the selected items whose policy needs a ticket number. */
  ticketFor: string[];
  /** Whether any selected policy could not be read (then optional fields are offered anyway). */
  anyUnknown: boolean;
}

export function selectionRules(selection: readonly Eligibility[]): SelectionRules {
  const stated = selection.flatMap((g) => {
    const max = g.requirements.known ? g.requirements.maxDurationMinutes : null;
    return max === null ? [] : [{ item: g, max }];
  });
  const maxMinutes = stated.length === 0 ? null : Math.min(...stated.map((s) => s.max));
  const labels = (pick: (r: Requirements) => boolean) =>
    selection.filter((g) => g.requirements.known && pick(g.requirements)).map(targetLabel);
  return {
    maxMinutes,
    maxSetBy: stated.filter((s) => s.max === maxMinutes).map((s) => targetLabel(s.item)),
    justificationFor: labels((r) => r.justification),
    ticketFor: labels((r) => r.ticket),
    anyUnknown: selection.some((g) => !g.requirements.known),
  };
}

/** "Prod DB Admins", "A and B", "A, B and 2 more". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 2) {
    return names.join(" and ");
  }
  return `${names[0]}, ${names[1]} and ${names.length - 2} more`;
}
