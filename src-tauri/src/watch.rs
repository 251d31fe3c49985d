//! The background watcher: while signed in, refreshes what is active (each minute, and at once
//! after an activation), shows reminders before access lapses, and keeps the tray's list
//! current. It runs in Rust whether or not the window exists.

use std::sync::Arc;
use std::time::{Duration, Instant};

use latchkey_core::ipc::SessionState;
use latchkey_core::reminders::{self, Followed, SentLogFile};
use latchkey_core::Latchkey;
use tauri::AppHandle;
use tokio::sync::Notify;

use crate::{notify, tenant, tray};

/// How often the list of active items is read from the service.
const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// How often reminders and the tray's time left are re-evaluated.
const TICK: Duration = Duration::from_secs(15);

/// Starts the watcher; `refresh` wakes it to re-read at once.
pub fn spawn(app: AppHandle, latchkey: Arc<Latchkey>, refresh: Arc<Notify>) {
    tauri::async_runtime::spawn(async move {
        let log_file = SentLogFile::new(tenant::data_dir().join("reminders.json"));
        let mut sent = log_file.load();
        let mut followed = Followed::default();
        let mut last_read: Option<Instant> = None;
        let mut ticker = tokio::time::interval(TICK);
        loop {
            let forced = tokio::select! {
                _ = ticker.tick() => false,
                () = refresh.notified() => true,
            };
            if !matches!(latchkey.snapshot().session, SessionState::SignedIn { .. }) {
                followed.clear();
                last_read = None;
                tray::show_active(&app, &[], chrono::Utc::now());
                continue;
            }
            if forced || last_read.is_none_or(|t| t.elapsed() >= REFRESH_EVERY) {
                match latchkey.list_activations().await {
                    Ok(listing) => {
                        followed.replace(listing.items, chrono::Utc::now());
                        last_read = Some(Instant::now());
                    }
                    Err(e) => tracing::debug!(code = ?e.code, "could not refresh active items"),
                }
            }
            let now = chrono::Utc::now();
            let due = reminders::due(
                followed.items(),
                &reminders::DEFAULT_LEAD_MINUTES,
                now,
                &sent,
            );
            for reminder in &due {
                notify::show(reminder.title.clone(), reminder.body.clone());
                sent.record(&reminder.key, now);
            }
            if !due.is_empty() {
                if let Err(e) = log_file.save(&sent) {
                    tracing::warn!(error = %e, "could not record shown reminders");
                }
            }
            tray::show_active(&app, followed.items(), now);
        }
    });
}
