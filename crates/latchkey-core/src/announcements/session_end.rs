//! A session the service ended while access was followed. A leaver's account is disabled (or
//! the sign-in revoked): every read is refused from then on, so Latchkey cannot tell whether
//! that access still runs or was removed, and cannot warn before it ends. Saying nothing
//! would leave the person believing the countdown they last saw; so one notification names
//! what is no longer followed and gives the service's reason, which says what to do.

use chrono::{DateTime, Utc};

use super::{Announcement, AnnouncementKind};
use crate::error::ErrorCode;
use crate::ipc::SessionState;
use crate::model::Activation;
use crate::reminders::SentLog;
use crate::time::parse_lenient;

/// The announcement for `followed` when `session` is one the service ended (signed out with a
/// `sessionExpired` reason), once per set of activations. Nothing when the person signed out
/// (no reason), when nothing still running was followed, or when it was already shown.
pub fn no_longer_followed(
    followed: &[Activation],
    session: &SessionState,
    log: &mut SentLog,
    now: DateTime<Utc>,
) -> Option<Announcement> {
    let SessionState::SignedOut {
        last_error: Some(reason),
    } = session
    else {
        return None;
    };
    if reason.code != ErrorCode::SessionExpired {
        return None;
    }
    // What ended on time before the session did is covered by the expiry notice.
    let mut running: Vec<(Option<DateTime<Utc>>, &Activation)> = followed
        .iter()
        .map(|a| (a.end_date_time.as_deref().and_then(parse_lenient), a))
        .filter(|(end, _)| end.is_none_or(|end| end > now))
        .collect();
    if running.is_empty() {
        return None;
    }
    // The one ending soonest is named first; one without an end, last.
    running.sort_by_key(|(end, a)| (end.is_none(), *end, a.label()));
    let mut ids: Vec<String> = running
        .iter()
        .map(|(_, a)| a.id.to_ascii_lowercase())
        .collect();
    ids.sort();
    let key = format!("unfollowed:{}", ids.join(","));
    if log.contains(&key) {
        return None;
    }
    log.record(&key, now);
    let labels: Vec<String> = running.iter().map(|(_, a)| a.label()).collect();
    let what = match labels.as_slice() {
        [one] => one.clone(),
        [first, second] => format!("{first} and {second}"),
        [first, rest @ ..] => format!("{first} and {} others", rest.len()),
        [] => unreachable!("checked above"),
    };
    let ends = if labels.len() == 1 {
        "it ends"
    } else {
        "they end"
    };
    Some(Announcement {
        key,
        kind: AnnouncementKind::NoLongerFollowed,
        title: format!("{what}: no longer followed"),
        body: format!(
            "{} Latchkey can't see your access any more, so it can't tell you whether it still runs or was removed, nor warn you before {ends}.",
            reason.message
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::AppError;
    use crate::model::{GroupAccess, Target};
    use crate::time::to_ipc;
    use chrono::Duration;

    fn activation(id: &str, name: &str, end: Option<DateTime<Utc>>) -> Activation {
        Activation {
            id: id.into(),
            target: Target::Group {
                group_id: id.into(),
                access: GroupAccess::Member,
            },
            name: Some(name.into()),
            scope_name: None,
            start_date_time: to_ipc(Utc::now() - Duration::minutes(10)),
            end_date_time: end.map(to_ipc),
        }
    }

    fn ended(code: ErrorCode, message: &str) -> SessionState {
        SessionState::SignedOut {
            last_error: Some(AppError {
                code,
                message: message.into(),
            }),
        }
    }

    const DISABLED: &str = "Your account is disabled. Contact your administrator.";

    #[test]
    fn a_disabled_account_names_what_is_no_longer_followed_once() {
        let now = Utc::now();
        let followed = [
            activation("b", "Platform Engineers", Some(now + Duration::hours(2))),
            activation("a", "On-call Responders", Some(now + Duration::hours(1))),
            activation("c", "Exchange Administrator", None),
            // Ended a moment ago: the expiry notice said so.
            activation("d", "Prod DB Admins", Some(now - Duration::seconds(5))),
        ];
        let session = ended(ErrorCode::SessionExpired, DISABLED);
        let mut log = SentLog::default();
        let shown = no_longer_followed(&followed, &session, &mut log, now).unwrap();
        assert_eq!(shown.kind, AnnouncementKind::NoLongerFollowed);
        assert_eq!(
            shown.title,
            "On-call Responders and 2 others: no longer followed"
        );
        assert!(shown.body.starts_with(DISABLED), "{}", shown.body);
        assert!(shown.body.ends_with("before they end."), "{}", shown.body);
        assert_eq!(
            no_longer_followed(&followed, &session, &mut log, now),
            None,
            "once"
        );
    }

    #[test]
    fn one_or_two_are_named_and_a_chosen_sign_out_says_nothing() {
        let now = Utc::now();
        let one = [activation(
            "a",
            "On-call Responders",
            Some(now + Duration::hours(1)),
        )];
        let two = [
            one[0].clone(),
            activation("b", "Platform Engineers", Some(now + Duration::hours(2))),
        ];
        let session = ended(ErrorCode::SessionExpired, DISABLED);
        let mut log = SentLog::default();
        let title = |items: &[Activation], log: &mut SentLog| {
            no_longer_followed(items, &session, log, now).map(|a| a.title)
        };
        assert_eq!(
            title(&one, &mut log).as_deref(),
            Some("On-call Responders: no longer followed")
        );
        assert_eq!(
            title(&two, &mut log).as_deref(),
            Some("On-call Responders and Platform Engineers: no longer followed")
        );
        let mut log = SentLog::default();
        let chosen = SessionState::SignedOut { last_error: None };
        assert_eq!(no_longer_followed(&two, &chosen, &mut log, now), None);
        let offline = ended(ErrorCode::Network, "No connection.");
        assert_eq!(no_longer_followed(&two, &offline, &mut log, now), None);
        assert_eq!(no_longer_followed(&[], &session, &mut log, now), None);
    }
}
