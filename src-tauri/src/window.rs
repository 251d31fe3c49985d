//! The main window. It is created when needed and destroyed when closed — the web view's memory
//! goes with it — while the Rust core keeps running in the tray.

use latchkey_core::model::Target;
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::AppEvent;

/// The main window's label (capabilities refer to it).
pub const MAIN: &str = "main";

/// A view of the main window the tray can open directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Requests waiting for my decision.
    Approvals,
}

impl View {
    /// The name the web view knows it by (URL fragment and `show-view` payload).
    pub fn name(self) -> &'static str {
        match self {
            View::Approvals => "approvals",
        }
    }
}

/// Shows the main window, creating it if it was closed, and focuses it.
pub fn show_main(app: &AppHandle) {
    show(app, None);
}

/// Shows the main window on `view`: a new window starts there (URL fragment, so nothing is
/// lost before its script listens); an open one is told with a `show-view` event.
pub fn show(app: &AppHandle, view: Option<View>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        if let Some(view) = view {
            if let Err(e) = window.emit(AppEvent::ShowView.name(), view.name()) {
                tracing::warn!(error = %e, "could not ask the window for a view");
            }
        }
        return;
    }
    let page = match view {
        Some(view) => format!("index.html#{}", view.name()),
        None => "index.html".to_owned(),
    };
    build(app, page);
}

/// Shows the main window with the activation form of `target` open (a tray favourite whose
/// policy needs more than one click): a new window gets `#activate=<target key>`, an open one
/// a `focus-target` event with the key (the UI's `focus-request.ts`).
pub fn show_activation(app: &AppHandle, target: &Target) {
    let key = target.key();
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        if let Err(e) = window.emit(AppEvent::FocusTarget.name(), &key) {
            tracing::warn!(error = %e, "could not ask the window for an activation form");
        }
        return;
    }
    build(app, activation_page(&key));
}

/// The page a new window opens on to show `key`'s activation form.
fn activation_page(key: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
    format!("index.html#activate={encoded}")
}

/// Creates the main window on `page` and focuses it.
fn build(app: &AppHandle, page: String) {
    let built = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App(page.into()))
        .title("Latchkey")
        .inner_size(900.0, 640.0)
        .min_inner_size(520.0, 420.0)
        .on_navigation(is_app_url)
        // Tauri only honours this in debug builds or with its `devtools` feature (not enabled):
        // a release build has no inspector, whatever the page does.
        .devtools(cfg!(debug_assertions))
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
    // `tauri://localhost` (Linux, macOS) or `http(s)://tauri.localhost` (Windows), nothing else.
    let app_origin = match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost") && url.port().is_none(),
        _ => false,
    };
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
    fn a_new_window_for_an_activation_form_names_the_target_in_its_fragment() {
        let target = Target::DirectoryRole {
            role_definition_id: "F2EF992C".into(),
            directory_scope_id: "/administrativeUnits/X y".into(),
        };
        assert_eq!(
            activation_page(&target.key()),
            "index.html#activate=role%7Cf2ef992c%7C%2Fadministrativeunits%2Fx+y"
        );
    }

    #[test]
    fn only_app_urls_may_load() {
        let ok = |s: &str| is_app_url(&url::Url::parse(s).unwrap());
        assert!(ok("tauri://localhost/index.html"));
        assert!(ok("http://tauri.localhost/index.html"));
        assert!(!ok("https://login.microsoftonline.com/"));
        assert!(!ok("http://127.0.0.1:8400/devicelogin"));
        assert!(!ok("file:///etc/passwd"));
        assert!(!ok("tauri://example.com/index.html"));
        assert!(!ok("https://tauri.localhost.example.com/"));
        assert!(!ok("http://tauri.localhost:8080/"));
        assert!(!ok("javascript:alert(1)"));
        assert!(!ok("data:text/html,<script>1</script>"));
        assert!(!ok("https://example.com/"));
    }
}
