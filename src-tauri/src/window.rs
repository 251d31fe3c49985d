//! The main window. It is created when needed and destroyed when closed — the web view's memory
//! goes with it — while the Rust core keeps running in the tray.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

/// The main window's label (capabilities refer to it).
pub const MAIN: &str = "main";

/// Shows the main window, creating it if it was closed, and focuses it.
pub fn show_main(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let built = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Latchkey")
        .inner_size(900.0, 640.0)
        .min_inner_size(520.0, 420.0)
        .on_navigation(is_app_url)
        .build();
    match built {
        Ok(window) => {
            let _ = window.set_focus();
        }
        Err(e) => tracing::error!(error = %e, "could not open the main window"),
    }
}

/// Only the app's own pages may load in the web view; everything else is refused (links to
/// the outside open in the system browser through a command instead).
fn is_app_url(url: &url::Url) -> bool {
    let app_origin = matches!(url.scheme(), "tauri") || url.host_str() == Some("tauri.localhost");
    let dev_server = cfg!(debug_assertions)
        && !cfg!(feature = "custom-protocol")
        && url.host_str() == Some("127.0.0.1")
        && url.port() == Some(1420);
    let allowed = app_origin || dev_server;
    if !allowed {
        tracing::warn!(%url, "blocked navigation away from the app");
    }
    allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_app_urls_may_load() {
        let ok = |s: &str| is_app_url(&url::Url::parse(s).unwrap());
        assert!(ok("tauri://localhost/index.html"));
        assert!(ok("http://tauri.localhost/index.html"));
        assert!(!ok("https://login.microsoftonline.com/"));
        assert!(!ok("http://127.0.0.1:8400/devicelogin"));
        assert!(!ok("file:///etc/passwd"));
    }
}
