//! Native notifications through notify-rust (freedesktop notifications on Linux).

/// Shows a notification without blocking the caller (D-Bus calls block).
pub fn show(summary: String, body: String) {
    tauri::async_runtime::spawn_blocking(move || {
        let result = notify_rust::Notification::new()
            .appname("Latchkey")
            .summary(&summary)
            .body(&body)
            .icon("dialog-password")
            .show();
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not show a notification");
        }
    });
}
