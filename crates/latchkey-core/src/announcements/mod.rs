//! Notifications about requests and approvals, each shown once — also across restarts: a
//! pending request of mine that was approved, denied or expired; access someone else ended
//! early; a new request waiting for my decision; access I can no longer follow because the
//! service ended my session. Pure logic over what the service listed and
//! the [`SentLog`]; the app shows what comes back.

use chrono::{DateTime, Duration, Utc};

use crate::model::{Activation, ApprovalItem, PimRequest, RequestStatus};
use crate::reminders::SentLog;
use crate::time::parse_lenient;

mod session_end;
pub use session_end::no_longer_followed;

/// What an announcement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnouncementKind {
    /// My pending request was approved (active now, or at its later start).
    Approved,
    /// My pending request was denied.
    Denied,
    /// Nobody decided my request in time.
    Expired,
    /// Something of mine ended early, not by me.
    Revoked,
    /// A request waits for my decision.
    ApprovalWaiting,
    /// The service ended my session (account disabled, sign-in revoked) while access was
    /// followed: Latchkey can no longer see it, warn before it ends or say if it was removed.
    NoLongerFollowed,
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// Stable identity in the sent log.
    pub key: String,
    pub kind: AnnouncementKind,
    pub title: String,
    pub body: String,
}

fn request_label(r: &PimRequest) -> String {
    r.name.clone().unwrap_or_else(|| r.target.fallback_name())
}

/// Announcements for my requests that left `PendingApproval` since the last read. Pending
/// requests are remembered in `log` (refreshed on every read, so a request pending for a day
/// is not forgotten); an outcome is announced once and recorded.
pub fn request_outcomes(
    requests: &[PimRequest],
    log: &mut SentLog,
    now: DateTime<Utc>,
) -> Vec<Announcement> {
    let mut out = Vec::new();
    for r in requests {
        let pending_key = format!("pending:{}", r.id.to_ascii_lowercase());
        if r.status == RequestStatus::PendingApproval {
            log.keep(&pending_key, now);
            continue;
        }
        if !log.contains(&pending_key) {
            continue;
        }
        let name = request_label(r);
        let (kind, title, body) = match r.status {
            RequestStatus::Provisioned => (
                AnnouncementKind::Approved,
                format!("{name} approved"),
                "Your request was approved and the access is active now.".to_owned(),
            ),
            RequestStatus::Granted => (
                AnnouncementKind::Approved,
                format!("{name} approved"),
                "Your request was approved; the access starts at the time you asked for.".to_owned(),
            ),
            RequestStatus::Denied => (
                AnnouncementKind::Denied,
                format!("{name} denied"),
                match r.decision_reason.as_deref() {
                    Some(reason) => format!("An approver denied your request: “{reason}”"),
                    None => "An approver denied your request. Open Latchkey to see why.".to_owned(),
                },
            ),
            RequestStatus::TimedOut => (
                AnnouncementKind::Expired,
                format!("{name}: no decision"),
                "Nobody decided your request within 24 hours, so it expired. Ask again if you still need it.".to_owned(),
            ),
            // Canceled is my own doing; unknown statuses are still in progress.
            _ => continue,
        };
        log.forget(&pending_key);
        let key = format!("decided:{}", r.id.to_ascii_lowercase());
        if log.contains(&key) {
            continue;
        }
        log.record(&key, now);
        out.push(Announcement {
            key,
            kind,
            title,
            body,
        });
    }
    out
}

/// Activations that vanished before their end although I did not deactivate them: someone
/// (an administrator, or the account being disabled) ended them.
pub fn revoked(
    previous: &[Activation],
    current: &[Activation],
    my_requests: &[PimRequest],
    log: &mut SentLog,
    now: DateTime<Utc>,
) -> Vec<Announcement> {
    let mut out = Vec::new();
    for gone in previous
        .iter()
        .filter(|old| !current.iter().any(|a| a.target.same(&old.target)))
    {
        let Some(end) = gone.end_date_time.as_deref().and_then(parse_lenient) else {
            continue;
        };
        // Ended on time (PIM drops instances at their end): the reminders cover that.
        if end <= now + Duration::seconds(30) {
            continue;
        }
        let start = gone.start_date_time.as_str();
        let i_ended_it = my_requests.iter().any(|r| {
            r.target.same(&gone.target)
                && r.action.eq_ignore_ascii_case("selfDeactivate")
                && r.created_date_time.as_str() >= start
        });
        if i_ended_it {
            continue;
        }
        let key = format!("revoked:{}", gone.id.to_ascii_lowercase());
        if log.contains(&key) {
            continue;
        }
        log.record(&key, now);
        out.push(Announcement {
            key,
            kind: AnnouncementKind::Revoked,
            title: format!("{} ended early", gone.label()),
            body: "Your access was removed before its end time, not by you. Ask your administrator if you did not expect this.".to_owned(),
        });
    }
    out
}

/// Requests newly waiting for my decision, once each.
pub fn new_approvals(
    items: &[ApprovalItem],
    log: &mut SentLog,
    now: DateTime<Utc>,
) -> Vec<Announcement> {
    let mut out = Vec::new();
    for item in items {
        let key = format!("approval:{}", item.approval_id.to_ascii_lowercase());
        if !log.keep(&key, now) {
            continue;
        }
        let who = item
            .requester
            .display_name
            .clone()
            .unwrap_or_else(|| item.requester.id.clone());
        let what = item
            .name
            .clone()
            .unwrap_or_else(|| item.target.fallback_name());
        let how_long = item
            .duration_minutes
            .map(|m| format!(" for {}", crate::time::minutes_in_words(m)))
            .unwrap_or_default();
        let why = item
            .justification
            .as_deref()
            .map(|j| format!(": “{j}”"))
            .unwrap_or_default();
        out.push(Announcement {
            key,
            kind: AnnouncementKind::ApprovalWaiting,
            title: format!("{who} asks for {what}"),
            body: format!("Waiting for your decision{how_long}{why}"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GroupAccess, Person, Target};
    use crate::time::to_ipc;

    fn target() -> Target {
        Target::Group {
            group_id: "g".into(),
            access: GroupAccess::Member,
        }
    }

    fn request(
        id: &str,
        status: RequestStatus,
        action: &str,
        created: DateTime<Utc>,
    ) -> PimRequest {
        PimRequest {
            id: id.into(),
            target: target(),
            name: Some("Prod DB Admins".into()),
            scope_name: None,
            action: action.into(),
            status,
            created_date_time: to_ipc(created),
            start_date_time: None,
            duration_minutes: Some(60),
            justification: None,
            ticket_number: None,
            decision_reason: None,
        }
    }

    #[test]
    fn a_pending_request_is_announced_once_when_decided_also_after_a_restart() {
        let now = Utc::now();
        let mut log = SentLog::default();
        let pending = request("R1", RequestStatus::PendingApproval, "selfActivate", now);
        assert!(request_outcomes(&[pending], &mut log, now).is_empty());
        // A restart: the log is what was saved.
        let mut log: SentLog = serde_json::from_value(serde_json::to_value(&log).unwrap()).unwrap();
        let approved = request("r1", RequestStatus::Provisioned, "selfActivate", now);
        let shown = request_outcomes(std::slice::from_ref(&approved), &mut log, now);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].kind, AnnouncementKind::Approved);
        assert_eq!(shown[0].title, "Prod DB Admins approved");
        assert!(
            request_outcomes(&[approved], &mut log, now).is_empty(),
            "once"
        );
        // A request never seen pending (old history) is not announced.
        let old = request("r0", RequestStatus::Denied, "selfActivate", now);
        assert!(request_outcomes(&[old], &mut log, now).is_empty());
    }

    #[test]
    fn denial_and_expiry_say_so_and_my_own_cancel_is_silent() {
        let now = Utc::now();
        let mut log = SentLog::default();
        let ids = ["a", "b", "c"];
        let pending: Vec<_> = ids
            .iter()
            .map(|id| request(id, RequestStatus::PendingApproval, "selfActivate", now))
            .collect();
        request_outcomes(&pending, &mut log, now);
        let later = now + Duration::hours(2);
        let decided = [
            request("a", RequestStatus::Denied, "selfActivate", now),
            request("b", RequestStatus::TimedOut, "selfActivate", now),
            request("c", RequestStatus::Canceled, "selfActivate", now),
        ];
        let kinds: Vec<_> = request_outcomes(&decided, &mut log, later)
            .into_iter()
            .map(|a| a.kind)
            .collect();
        assert_eq!(kinds, [AnnouncementKind::Denied, AnnouncementKind::Expired]);
    }

    #[test]
    fn a_denial_carries_the_approvers_reason_when_known() {
        let now = Utc::now();
        let mut log = SentLog::default();
        request_outcomes(
            &[request(
                "a",
                RequestStatus::PendingApproval,
                "selfActivate",
                now,
            )],
            &mut log,
            now,
        );
        let mut denied = request("a", RequestStatus::Denied, "selfActivate", now);
        denied.decision_reason = Some("Not during the freeze".into());
        let said = request_outcomes(&[denied], &mut log, now).remove(0);
        assert_eq!(said.title, "Prod DB Admins denied");
        assert_eq!(
            said.body,
            "An approver denied your request: “Not during the freeze”"
        );
    }

    fn activation(id: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Activation {
        Activation {
            id: id.into(),
            target: target(),
            name: Some("Prod DB Admins".into()),
            scope_name: None,
            start_date_time: to_ipc(start),
            end_date_time: Some(to_ipc(end)),
        }
    }

    #[test]
    fn early_removal_by_someone_else_is_announced_but_my_deactivation_and_expiry_are_not() {
        let now = Utc::now();
        let start = now - Duration::minutes(30);
        let running = [activation("i1", start, now + Duration::minutes(30))];
        let mut log = SentLog::default();
        let shown = revoked(&running, &[], &[], &mut log, now);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].title, "Prod DB Admins ended early");
        assert!(
            revoked(&running, &[], &[], &mut log, now).is_empty(),
            "once"
        );

        let mut log = SentLog::default();
        let mine = [request("d", RequestStatus::Revoked, "SelfDeactivate", now)];
        assert!(revoked(&running, &[], &mine, &mut log, now).is_empty());
        let ending = [activation("i2", start, now + Duration::seconds(10))];
        assert!(revoked(&ending, &[], &[], &mut log, now).is_empty());
        assert!(revoked(&running, &running, &[], &mut log, now).is_empty());
    }

    #[test]
    fn each_waiting_request_is_announced_once() {
        let now = Utc::now();
        let item = ApprovalItem {
            approval_id: "A1".into(),
            request_id: "A1".into(),
            target: target(),
            name: Some("Prod DB Admins".into()),
            scope_name: None,
            requester: Person {
                id: "u".into(),
                display_name: Some("Ada Okafor".into()),
                mail: None,
            },
            created_date_time: to_ipc(now),
            start_date_time: None,
            duration_minutes: Some(120),
            justification: Some("Failover drill".into()),
            ticket_number: None,
            ticket_system: None,
            expires_date_time: to_ipc(now + Duration::hours(24)),
        };
        let mut log = SentLog::default();
        let shown = new_approvals(std::slice::from_ref(&item), &mut log, now);
        assert_eq!(shown[0].title, "Ada Okafor asks for Prod DB Admins");
        assert_eq!(
            shown[0].body,
            "Waiting for your decision for 2 hours: “Failover drill”"
        );
        assert!(new_approvals(
            std::slice::from_ref(&item),
            &mut log,
            now + Duration::minutes(1)
        )
        .is_empty());
        // Polled every minute, the log does not change (nor its file get rewritten) each time…
        let before = log.clone();
        new_approvals(
            std::slice::from_ref(&item),
            &mut log,
            now + Duration::minutes(2),
        );
        assert_eq!(log, before);
        // …yet a request waiting all day is still remembered past the one-day pruning.
        for hours in [13, 26] {
            assert!(new_approvals(
                std::slice::from_ref(&item),
                &mut log,
                now + Duration::hours(hours)
            )
            .is_empty());
        }
    }
}
