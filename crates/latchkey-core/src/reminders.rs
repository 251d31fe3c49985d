//! Reminders before access lapses: which notifications are due for the active items, given
//! the lead times, and a record of what was already sent so each fires once — also across
//! restarts and after sleep. Pure logic over an injected "now"; the app shows them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Activation;
use crate::time::parse_lenient;

/// Latchkey's default lead times: 15 and 5 minutes before the end.
pub const DEFAULT_LEAD_MINUTES: [u32; 2] = [15, 5];

/// A reminder older than this is not shown late (after a long sleep only the latest matters).
const STALE_AFTER: Duration = Duration::minutes(2);

/// What a reminder says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReminderKind {
    /// Ends in this many minutes.
    EndsSoon { minutes: u32 },
    /// Has ended.
    Ended,
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Stable identity: activation id, end time and kind. A re-activation gets new reminders.
    pub key: String,
    pub title: String,
    pub body: String,
    pub kind: ReminderKind,
}

/// The reminders due at `now` for `activations`, skipping those in `sent`. At most one per
/// activation: the most urgent one due (no burst of three after waking from sleep).
pub fn due(
    activations: &[Activation],
    lead_minutes: &[u32],
    now: DateTime<Utc>,
    sent: &SentLog,
) -> Vec<Reminder> {
    let mut leads: Vec<u32> = lead_minutes.iter().copied().filter(|m| *m > 0).collect();
    leads.sort_unstable();
    leads.dedup();
    let mut reminders = Vec::new();
    for activation in activations {
        let Some(end) = activation.end_date_time.as_deref().and_then(parse_lenient) else {
            continue;
        };
        let base = format!("{}@{}", activation.id, end.timestamp());
        let candidate = if now >= end {
            (now - end < STALE_AFTER).then(|| (format!("{base}:ended"), ReminderKind::Ended))
        } else {
            // The smallest lead time already reached is the most urgent one.
            leads
                .iter()
                .find(|m| end - Duration::minutes(i64::from(**m)) <= now)
                .map(|m| {
                    (
                        format!("{base}:{m}"),
                        ReminderKind::EndsSoon { minutes: *m },
                    )
                })
        };
        let Some((key, kind)) = candidate else {
            continue;
        };
        // A more urgent reminder already shown for this activation silences the less urgent
        // ones: after the clock jumps back, "ends in 15 min" must not follow "ends in 5 min".
        let more_urgent_shown = match kind {
            ReminderKind::Ended => false,
            ReminderKind::EndsSoon { minutes } => {
                sent.contains(&format!("{base}:ended"))
                    || leads
                        .iter()
                        .take_while(|m| **m < minutes)
                        .any(|m| sent.contains(&format!("{base}:{m}")))
            }
        };
        if more_urgent_shown || sent.contains(&key) {
            continue;
        }
        let name = activation.label();
        let (title, body) = match &kind {
            ReminderKind::EndsSoon { minutes } => (
                format!("{name} ends in {minutes} min"),
                format!(
                    "Your access ends at {}. PIM can't extend it while it runs: activate again from Latchkey once it has ended.",
                    end.format("%H:%M UTC")
                ),
            ),
            ReminderKind::Ended => (
                format!("{name} has ended"),
                "Your activation is over. Activate again from Latchkey if you still need it."
                    .to_owned(),
            ),
        };
        reminders.push(Reminder {
            key,
            title,
            body,
            kind,
        });
    }
    reminders
}

/// The activations reminders follow: the service's latest list plus items that just ended.
/// PIM drops an instance at its end time, yet its "has ended" reminder must still fire.
#[derive(Debug, Default, Clone)]
pub struct Followed {
    items: Vec<Activation>,
}

impl Followed {
    /// Takes the service's latest list, keeping items of the previous one that ended moments ago.
    pub fn replace(&mut self, fresh: Vec<Activation>, now: DateTime<Utc>) {
        let just_ended: Vec<Activation> = self
            .items
            .drain(..)
            .filter(|old| !fresh.iter().any(|a| a.id == old.id))
            .filter(|old| {
                old.end_date_time
                    .as_deref()
                    .and_then(parse_lenient)
                    .is_some_and(|end| {
                        end <= now + Duration::seconds(30) && now - end < STALE_AFTER
                    })
            })
            .collect();
        self.items = fresh;
        self.items.extend(just_ended);
    }

    /// Forgets everything (signed out).
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// What is followed now.
    pub fn items(&self) -> &[Activation] {
        &self.items
    }
}

/// The reminders already shown, kept in a small file so each fires once across restarts.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SentLog {
    /// Key → when it was shown.
    sent: BTreeMap<String, DateTime<Utc>>,
}

impl SentLog {
    /// Whether `key` was shown.
    pub fn contains(&self, key: &str) -> bool {
        self.sent.contains_key(key)
    }

    /// Forgets `key`.
    pub fn forget(&mut self, key: &str) {
        self.sent.remove(key);
    }

    /// Keeps `key` remembered while it still matters (a request pending up to 24 h): records it
    /// when absent or half a day old, so the one-day pruning never drops it, without changing
    /// the log (and rewriting its file) on every read. True when it was absent.
    pub fn keep(&mut self, key: &str, now: DateTime<Utc>) -> bool {
        let absent = !self.sent.contains_key(key);
        if self
            .sent
            .get(key)
            .is_none_or(|at| now - *at >= Duration::hours(12))
        {
            self.record(key, now);
        }
        absent
    }

    /// Records `key` as shown, and forgets entries older than a day (their activations are over).
    pub fn record(&mut self, key: &str, now: DateTime<Utc>) {
        self.sent.insert(key.to_owned(), now);
        self.sent.retain(|_, at| now - *at < Duration::days(1));
    }
}

/// The file behind a [`SentLog`].
#[derive(Debug, Clone)]
pub struct SentLogFile {
    path: PathBuf,
}

impl SentLogFile {
    /// A log stored at `path` (`reminders.json` in the data dir).
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// The log; an unreadable file starts afresh (at worst a reminder repeats once).
    pub fn load(&self) -> SentLog {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the log atomically.
    pub fn save(&self, log: &SentLog) -> std::io::Result<()> {
        crate::json_file::write_atomically(&self.path, log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GroupAccess, Target};
    use crate::time::to_ipc;

    fn activation(id: &str, end: DateTime<Utc>) -> Activation {
        Activation {
            id: id.into(),
            target: Target::Group {
                group_id: "g".into(),
                access: GroupAccess::Member,
            },
            name: Some("Prod DB Admins".into()),
            scope_name: None,
            start_date_time: to_ipc(end - Duration::hours(1)),
            end_date_time: Some(to_ipc(end)),
        }
    }

    #[test]
    fn each_lead_time_fires_once_in_order_then_the_end() {
        let end = Utc::now() + Duration::hours(1);
        let list = [activation("a", end)];
        let mut log = SentLog::default();
        let mut shown = Vec::new();
        // Walk through the hour minute by minute, as the app's timer would.
        for minute in 0..=62 {
            let now = end - Duration::minutes(60) + Duration::minutes(minute);
            for r in due(&list, &DEFAULT_LEAD_MINUTES, now, &log) {
                log.record(&r.key, now);
                shown.push((minute, r.kind));
            }
        }
        assert_eq!(
            shown,
            [
                (45, ReminderKind::EndsSoon { minutes: 15 }),
                (55, ReminderKind::EndsSoon { minutes: 5 }),
                (60, ReminderKind::Ended)
            ]
        );
    }

    #[test]
    fn after_a_sleep_only_the_most_urgent_reminder_shows_and_stale_ends_stay_quiet() {
        let now = Utc::now();
        let log = SentLog::default();
        let due_now = due(
            &[activation("a", now + Duration::minutes(3))],
            &[15, 5],
            now,
            &log,
        );
        assert_eq!(due_now.len(), 1);
        assert_eq!(due_now[0].kind, ReminderKind::EndsSoon { minutes: 5 });
        assert_eq!(due_now[0].title, "Prod DB Admins ends in 5 min");
        assert!(
            due_now[0].body.contains("can't extend it while it runs"),
            "PIM has no extension of a running activation: {}",
            due_now[0].body
        );
        assert!(due(
            &[activation("b", now - Duration::hours(2))],
            &[15, 5],
            now,
            &log
        )
        .is_empty());
    }

    #[test]
    fn an_item_the_service_dropped_at_its_end_still_gets_its_ended_reminder() {
        let end = Utc::now();
        let mut followed = Followed::default();
        followed.replace(vec![activation("a", end)], end - Duration::minutes(1));
        // At the end the service no longer lists it.
        followed.replace(Vec::new(), end + Duration::seconds(5));
        let due_now = due(
            followed.items(),
            &[15, 5],
            end + Duration::seconds(5),
            &SentLog::default(),
        );
        assert_eq!(
            due_now.iter().map(|r| r.kind.clone()).collect::<Vec<_>>(),
            [ReminderKind::Ended]
        );
        // Deactivated early (gone long before its end): no "ended" reminder, and it is dropped.
        let later = end + Duration::minutes(10);
        followed.replace(vec![activation("b", later + Duration::hours(1))], later);
        assert_eq!(followed.items().len(), 1, "the long-ended one is forgotten");
        followed.replace(Vec::new(), later + Duration::minutes(1));
        assert!(followed.items().is_empty());
    }

    #[test]
    fn the_log_survives_a_restart_and_a_reactivation_gets_new_reminders() {
        let dir = std::env::temp_dir().join(format!("latchkey-reminders-{}", uuid::Uuid::new_v4()));
        let file = SentLogFile::new(dir.join("reminders.json"));
        let now = Utc::now();
        let first = activation("a", now + Duration::minutes(10));
        let mut log = file.load();
        let r = due(std::slice::from_ref(&first), &[15, 5], now, &log);
        log.record(&r[0].key, now);
        file.save(&log).unwrap();

        let reloaded = file.load();
        assert!(
            due(std::slice::from_ref(&first), &[15, 5], now, &reloaded).is_empty(),
            "fires once"
        );
        let extended = activation("a", now + Duration::minutes(12));
        assert_eq!(
            due(&[extended], &[15, 5], now, &reloaded).len(),
            1,
            "a new end time is a new reminder"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
