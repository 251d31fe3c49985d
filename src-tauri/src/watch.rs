//! The background watcher: while signed in, refreshes what is active and my requests (each
//! minute, and at once after an activation or decision), shows reminders before access lapses
//! and announcements (approved, denied, expired, ended early by someone else, no longer
//! followed because the service ended the session), polls the
//! approver's inbox (backing off when throttled) and keeps the tray current. It runs in Rust
//! whether or not the window exists.

use std::sync::Arc;
use std::time::{Duration, Instant};

use latchkey_core::announcements;
use latchkey_core::ipc::SessionState;
use latchkey_core::model::Activation;
use latchkey_core::reminders::{self, Followed, SentLog, SentLogFile};
use latchkey_core::settings::Settings;
use latchkey_core::{ErrorCode, Latchkey};
use tauri::AppHandle;
use tokio::sync::{watch, Notify};

use crate::{notify, tenant, tray};

/// How often what is active and my requests are read from the service.
const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// The longest wait between inbox reads while the service throttles.
const APPROVALS_BACKOFF_LIMIT: Duration = Duration::from_secs(600);
/// How often reminders and the tray's time left are re-evaluated.
const TICK: Duration = Duration::from_secs(15);

/// A read that runs at an interval, stretched while the service throttles.
struct Poll {
    every: Duration,
    wait: Duration,
    last: Option<Instant>,
}

impl Poll {
    fn new(every: Duration) -> Self {
        Self {
            every,
            wait: every,
            last: None,
        }
    }

    fn due(&self, forced: bool) -> bool {
        forced || self.last.is_none_or(|t| t.elapsed() >= self.wait)
    }

    fn done(&mut self, throttled: bool) {
        self.last = Some(Instant::now());
        self.wait = if throttled {
            (self.wait * 2).min(APPROVALS_BACKOFF_LIMIT)
        } else {
            self.every
        };
    }

    fn reset(&mut self) {
        self.last = None;
        self.wait = self.every;
    }

    /// A new interval from the settings; a throttled wait is kept if it is longer.
    fn set_every(&mut self, every: Duration) {
        if every != self.every {
            self.wait = if self.wait > self.every {
                self.wait.max(every)
            } else {
                every
            };
            self.every = every;
        }
    }
}

/// The inbox interval the settings ask for.
fn approvals_every(settings: &Settings) -> Duration {
    Duration::from_secs(u64::from(settings.approvals_poll_seconds))
}

struct Watcher {
    app: AppHandle,
    latchkey: Arc<Latchkey>,
    log_file: SentLogFile,
    sent: SentLog,
    followed: Followed,
    active: Poll,
    approvals: Poll,
    waiting: usize,
    /// The settings in force; lead times and the inbox interval follow them live.
    settings: watch::Receiver<Settings>,
}

impl Watcher {
    /// Shows notifications (already recorded in the log) and saves the log if it changed —
    /// also when nothing was shown: pending requests are remembered there across restarts.
    fn show(&mut self, before: &SentLog, items: Vec<(String, String, String)>) {
        for (_, title, body) in items {
            notify::show(title, body);
        }
        if self.sent != *before {
            if let Err(e) = self.log_file.save(&self.sent) {
                tracing::warn!(error = %e, "could not record shown notifications");
            }
        }
    }

    async fn read_active(&mut self) {
        let (activations, requests) = tokio::join!(
            self.latchkey.list_activations(),
            self.latchkey.list_requests()
        );
        let now = chrono::Utc::now();
        let before = self.sent.clone();
        let mut shown = Vec::new();
        match (activations, requests) {
            (Ok(activations), Ok(requests)) => {
                let previous: Vec<Activation> = self.followed.items().to_vec();
                // A plane that could not be read says nothing about what ended on it.
                let complete = activations.unavailable.is_empty();
                if complete && requests.unavailable.is_empty() {
                    shown.extend(announcements::revoked(
                        &previous,
                        &activations.items,
                        &requests.items,
                        &mut self.sent,
                        now,
                    ));
                }
                shown.extend(announcements::request_outcomes(
                    &requests.items,
                    &mut self.sent,
                    now,
                ));
                self.followed.replace(activations.items, now);
            }
            (a, r) => {
                let code = a.err().or(r.err()).map(|e| e.code);
                tracing::debug!(?code, "could not refresh active items");
            }
        }
        self.active.done(false);
        let shown = shown
            .into_iter()
            .map(|a| (a.key, a.title, a.body))
            .collect();
        self.show(&before, shown);
    }

    async fn read_approvals(&mut self) {
        match self.latchkey.list_approvals().await {
            Ok(listing) => {
                let now = chrono::Utc::now();
                let before = self.sent.clone();
                let shown = announcements::new_approvals(&listing.items, &mut self.sent, now)
                    .into_iter()
                    .map(|a| (a.key, a.title, a.body))
                    .collect();
                self.show(&before, shown);
                self.waiting = listing.items.len();
                self.approvals.done(false);
            }
            Err(e) => {
                tracing::debug!(code = ?e.code, "could not read the approver's inbox");
                self.approvals.done(e.code == ErrorCode::Throttled);
            }
        }
    }

    fn remind(&mut self) {
        let now = chrono::Utc::now();
        let before = self.sent.clone();
        let leads = self.settings.borrow().lead_minutes.clone();
        let due = reminders::due(self.followed.items(), &leads, now, &self.sent);
        for reminder in &due {
            self.sent.record(&reminder.key, now);
        }
        let shown = due.into_iter().map(|r| (r.key, r.title, r.body)).collect();
        self.show(&before, shown);
        tray::show_active(&self.app, self.followed.items(), now);
        tray::show_waiting(&self.app, self.waiting);
    }

    /// Forgets what was followed. When the service ended the session (a leaver's account
    /// disabled, a revoked sign-in) while access was followed, says once what can no longer be
    /// followed and why, rather than letting its countdown vanish silently.
    fn signed_out(&mut self) {
        let now = chrono::Utc::now();
        let before = self.sent.clone();
        let session = self.latchkey.snapshot().session;
        let shown =
            announcements::no_longer_followed(self.followed.items(), &session, &mut self.sent, now)
                .map(|a| (a.key, a.title, a.body))
                .into_iter()
                .collect();
        self.show(&before, shown);
        self.followed.clear();
        self.active.reset();
        self.approvals.reset();
        self.waiting = 0;
        tray::show_active(&self.app, &[], chrono::Utc::now());
        tray::show_waiting(&self.app, 0);
    }
}

/// The current account's id, while one is signed in.
fn signed_in_account(latchkey: &Latchkey) -> Option<String> {
    match latchkey.snapshot().session {
        SessionState::SignedIn { account } => Some(account.id),
        _ => None,
    }
}

/// Starts the watcher; `refresh` wakes it to re-read at once.
pub fn spawn(
    app: AppHandle,
    latchkey: Arc<Latchkey>,
    refresh: Arc<Notify>,
    settings: watch::Receiver<Settings>,
) {
    tauri::async_runtime::spawn(async move {
        let log_file = SentLogFile::new(tenant::data_dir().join("reminders.json"));
        let first_every = approvals_every(&settings.borrow());
        let mut watcher = Watcher {
            sent: log_file.load(),
            app,
            latchkey,
            log_file,
            followed: Followed::default(),
            active: Poll::new(REFRESH_EVERY),
            approvals: Poll::new(first_every),
            waiting: 0,
            settings,
        };
        let mut ticker = tokio::time::interval(TICK);
        let mut account: Option<String> = None;
        loop {
            let forced = tokio::select! {
                _ = ticker.tick() => false,
                () = refresh.notified() => true,
            };
            let every = approvals_every(&watcher.settings.borrow_and_update());
            watcher.approvals.set_every(every);
            let Some(now_for) = signed_in_account(&watcher.latchkey) else {
                watcher.signed_out();
                account = None;
                continue;
            };
            // Another account became current: what was followed belongs to the previous one.
            if account.as_ref() != Some(&now_for) {
                watcher.signed_out();
                account = Some(now_for.clone());
            }
            if watcher.active.due(forced) {
                watcher.read_active().await;
            }
            if watcher.approvals.due(forced) {
                watcher.read_approvals().await;
            }
            // A switch while reading: those reads were the previous account's; drop them.
            if signed_in_account(&watcher.latchkey).as_ref() != Some(&now_for) {
                watcher.signed_out();
                account = None;
                continue;
            }
            watcher.remind();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttled_poll_waits_twice_as_long_up_to_the_limit_then_recovers() {
        let mut poll = Poll::new(Duration::from_secs(60));
        assert!(poll.due(false), "first read at once");
        poll.done(true);
        assert_eq!(poll.wait, Duration::from_secs(120));
        for _ in 0..10 {
            poll.done(true);
        }
        assert_eq!(poll.wait, APPROVALS_BACKOFF_LIMIT);
        assert!(
            !poll.due(false) && poll.due(true),
            "a forced read goes through"
        );
        poll.done(false);
        assert_eq!(poll.wait, Duration::from_secs(60));
    }

    #[test]
    fn a_new_interval_from_the_settings_applies_at_once_but_keeps_a_longer_backoff() {
        let mut poll = Poll::new(Duration::from_secs(60));
        poll.set_every(Duration::from_secs(300));
        assert_eq!(
            (poll.every, poll.wait),
            (Duration::from_secs(300), Duration::from_secs(300))
        );
        poll.done(true);
        assert_eq!(poll.wait, Duration::from_secs(600));
        poll.set_every(Duration::from_secs(30));
        assert_eq!(poll.wait, Duration::from_secs(600), "still throttled");
        poll.done(false);
        assert_eq!(poll.wait, Duration::from_secs(30));
        let settings = Settings {
            approvals_poll_seconds: 120,
            ..Settings::default()
        };
        assert_eq!(approvals_every(&settings), Duration::from_secs(120));
    }
}
