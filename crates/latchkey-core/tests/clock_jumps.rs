//! The system clock jumps (±1 h, a suspend and resume) and the app restarts while access is
//! active: every reminder and announcement still fires exactly once. The app's timer calls
//! `reminders::due` and the announcement functions with its clock's "now" on each tick and
//! records what it showed in the `SentLog` (saved to a file); these tests play that loop with a
//! clock they move by hand.

use chrono::{DateTime, Duration, TimeZone, Utc};
use latchkey_core::announcements::{self, AnnouncementKind};
use latchkey_core::model::{Activation, ApprovalItem, GroupAccess, Person, Target};
use latchkey_core::reminders::{self, ReminderKind, SentLog, SentLogFile, DEFAULT_LEAD_MINUTES};
use latchkey_core::time::to_ipc;

/// A fixed "end of access" so the tests never read the wall clock.
fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 15, 0, 0).unwrap()
}

fn activation(id: &str, end: DateTime<Utc>) -> Activation {
    Activation {
        id: id.into(),
        target: Target::Group {
            group_id: format!("group-{id}"),
            access: GroupAccess::Member,
        },
        name: Some(format!("Group {id}")),
        scope_name: None,
        start_date_time: to_ipc(end - Duration::hours(2)),
        end_date_time: Some(to_ipc(end)),
    }
}

/// The app's tick: what is due now is shown and recorded. Returns what was shown.
fn tick(list: &[Activation], now: DateTime<Utc>, log: &mut SentLog) -> Vec<ReminderKind> {
    let due = reminders::due(list, &DEFAULT_LEAD_MINUTES, now, log);
    for r in &due {
        log.record(&r.key, now);
    }
    due.into_iter().map(|r| r.kind).collect()
}

/// Ticks every `step` from `from` to `to` (inclusive), collecting what was shown.
fn run(
    list: &[Activation],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: Duration,
    log: &mut SentLog,
) -> Vec<ReminderKind> {
    let mut shown = Vec::new();
    let mut now = from;
    while now <= to {
        shown.extend(tick(list, now, log));
        now += step;
    }
    shown
}

const fn soon(minutes: u32) -> ReminderKind {
    ReminderKind::EndsSoon { minutes }
}

#[test]
fn a_jump_forward_past_both_lead_times_fires_one_reminder_not_one_per_missed_tick() {
    let list = [activation("a", end())];
    let mut log = SentLog::default();
    let sec = Duration::seconds(30);
    let mut shown = run(
        &list,
        end() - Duration::minutes(80),
        end() - Duration::minutes(20),
        sec,
        &mut log,
    );
    assert!(
        shown.is_empty(),
        "nothing before the first lead time: {shown:?}"
    );
    // The clock jumps forward an hour-ish: from 20 min before the end to 3 min before it.
    shown.extend(run(
        &list,
        end() - Duration::minutes(3),
        end() - Duration::seconds(30),
        sec,
        &mut log,
    ));
    assert_eq!(shown, vec![soon(5)], "only the most urgent reminder, once");
    shown.extend(run(
        &list,
        end(),
        end() + Duration::minutes(5),
        sec,
        &mut log,
    ));
    assert_eq!(shown, vec![soon(5), ReminderKind::Ended]);
}

#[test]
fn a_jump_back_an_hour_repeats_nothing_already_sent() {
    let list = [activation("a", end())];
    let mut log = SentLog::default();
    let minute = Duration::minutes(1);
    let before = run(
        &list,
        end() - Duration::minutes(20),
        end() - Duration::minutes(4),
        minute,
        &mut log,
    );
    assert_eq!(before, vec![soon(15), soon(5)]);
    // The clock goes back an hour and runs on to past the end.
    let after = run(
        &list,
        end() - Duration::minutes(64),
        end() + Duration::minutes(3),
        Duration::seconds(20),
        &mut log,
    );
    assert_eq!(
        after,
        vec![ReminderKind::Ended],
        "no reminder again, the end once"
    );
    // And back once more after the end: the end is not announced twice.
    let again = run(
        &list,
        end() - Duration::minutes(30),
        end() + Duration::minutes(1),
        Duration::seconds(20),
        &mut log,
    );
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn after_a_jump_forward_and_back_a_less_urgent_reminder_does_not_follow_a_more_urgent_one() {
    let list = [activation("a", end())];
    let mut log = SentLog::default();
    let minute = Duration::minutes(1);
    // Forward from 20 min before the end to 4 min before it: "ends in 5 min".
    let mut shown = run(
        &list,
        end() - Duration::minutes(20),
        end() - Duration::minutes(20),
        minute,
        &mut log,
    );
    shown.extend(tick(&list, end() - Duration::minutes(4), &mut log));
    assert_eq!(shown, vec![soon(5)]);
    // Back an hour: passing 15 min before the end again must not say "ends in 15 min" now.
    let after = run(
        &list,
        end() - Duration::minutes(64),
        end() - Duration::seconds(10),
        minute,
        &mut log,
    );
    assert!(after.is_empty(), "{after:?}");
}

#[test]
fn a_suspend_across_the_end_shows_the_end_once_or_nothing_when_long_over() {
    let a = activation("a", end());
    let b = activation("b", end() + Duration::minutes(30));
    let list = [a, b];
    let mut log = SentLog::default();
    assert!(tick(&list, end() - Duration::minutes(40), &mut log).is_empty());
    // Asleep for 41 minutes: a ended a minute ago, b ends in 29.
    let woke = tick(&list, end() + Duration::minutes(1), &mut log);
    assert_eq!(woke, vec![ReminderKind::Ended]);
    let later = run(
        &list,
        end() + Duration::minutes(1),
        end() + Duration::minutes(14),
        Duration::seconds(30),
        &mut log,
    );
    assert!(later.is_empty(), "{later:?}");
    // Asleep again until long after b's end: nothing stale is shown.
    let woke = tick(&list, end() + Duration::hours(3), &mut log);
    assert!(woke.is_empty(), "{woke:?}");
}

#[test]
fn a_restart_reads_the_log_from_its_file_and_repeats_nothing() {
    let dir = std::env::temp_dir().join(format!("latchkey-clock-{}", uuid::Uuid::new_v4()));
    let file = SentLogFile::new(dir.join("reminders.json"));
    let list = [activation("a", end())];
    let mut log = file.load();
    let shown = run(
        &list,
        end() - Duration::minutes(16),
        end() - Duration::minutes(14),
        Duration::seconds(30),
        &mut log,
    );
    assert_eq!(shown, vec![soon(15)]);
    file.save(&log).unwrap();

    // A new process, with the clock an hour behind for good measure.
    let mut restarted = file.load();
    assert_eq!(restarted, log);
    let shown = run(
        &list,
        end() - Duration::minutes(75),
        end() + Duration::minutes(1),
        Duration::minutes(1),
        &mut restarted,
    );
    assert_eq!(shown, vec![soon(5), ReminderKind::Ended]);
    file.save(&restarted).unwrap();
    let mut third = file.load();
    assert!(run(
        &list,
        end() - Duration::minutes(20),
        end() + Duration::minutes(1),
        Duration::minutes(1),
        &mut third
    )
    .is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

fn approval(id: &str) -> ApprovalItem {
    ApprovalItem {
        approval_id: id.into(),
        request_id: id.into(),
        target: Target::Group {
            group_id: "g".into(),
            access: GroupAccess::Member,
        },
        name: Some("Prod DB Admins".into()),
        scope_name: None,
        requester: Person {
            id: "ada".into(),
            display_name: Some("Ada Okafor".into()),
            mail: None,
        },
        created_date_time: to_ipc(end() - Duration::hours(1)),
        start_date_time: None,
        duration_minutes: Some(60),
        justification: Some("Restore drill".into()),
        ticket_number: None,
        ticket_system: None,
        expires_date_time: to_ipc(end() + Duration::hours(23)),
    }
}

#[test]
fn approvals_and_revocations_are_announced_once_across_jumps_and_restarts() {
    let dir = std::env::temp_dir().join(format!("latchkey-clock-{}", uuid::Uuid::new_v4()));
    let file = SentLogFile::new(dir.join("reminders.json"));
    let items = [approval("req-1")];
    let mut log = file.load();
    let mut count = 0;
    let mut now = end() - Duration::hours(1);
    // Minute ticks, a jump forward by an hour, a jump back by two, a 13 h suspend.
    for offset in [0, 1, 2, 62, 63, -58, -57, 13 * 60, 13 * 60 + 1] {
        now = end() - Duration::hours(1) + Duration::minutes(offset);
        count += announcements::new_approvals(&items, &mut log, now).len();
    }
    assert_eq!(count, 1, "the waiting request is announced once");
    file.save(&log).unwrap();
    let mut restarted = file.load();
    assert!(
        announcements::new_approvals(&items, &mut restarted, now - Duration::hours(1)).is_empty()
    );

    // A revocation seen on one tick, then the same lists again after jumps and a restart.
    let active = [activation("x", end() + Duration::hours(2))];
    let first = announcements::revoked(&active, &[], &[], &mut restarted, end());
    assert_eq!(
        first.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![AnnouncementKind::Revoked]
    );
    file.save(&restarted).unwrap();
    let mut third = file.load();
    for now in [
        end() - Duration::hours(1),
        end() + Duration::hours(1),
        end(),
    ] {
        assert!(announcements::revoked(&active, &[], &[], &mut third, now).is_empty());
    }
    let _ = std::fs::remove_dir_all(dir);
}
