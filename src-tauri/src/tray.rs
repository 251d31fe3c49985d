//! The tray icon and its menu. Linux trays have no click events or tooltips, so every action is
//! a menu item; menu ids convert to and from an enum instead of being matched as raw strings.

use latchkey_core::ipc::SessionState;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

use crate::window;

/// The tray menu's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayItem {
    Status,
    Open,
    Quit,
}

impl TrayItem {
    const ALL: [TrayItem; 3] = [TrayItem::Status, TrayItem::Open, TrayItem::Quit];

    /// The menu id.
    pub fn id(self) -> &'static str {
        match self {
            TrayItem::Status => "status",
            TrayItem::Open => "open",
            TrayItem::Quit => "quit",
        }
    }

    /// The item for a menu id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.id() == id)
    }
}

/// The status line, kept to update it as the session changes.
pub struct Tray {
    status: MenuItem<Wry>,
}

/// The status line's text for a session state.
pub fn status_text(session: &SessionState) -> String {
    match session {
        SessionState::SignedIn { account } => format!("Signed in as {}", account.display_name),
        SessionState::SigningIn { .. } => "Signing in…".to_owned(),
        SessionState::Restoring => "Signing you in again…".to_owned(),
        SessionState::SignedOut { .. } => "Not signed in".to_owned(),
    }
}

impl Tray {
    /// Creates the tray icon.
    pub fn create(app: &AppHandle, tenant_label: &str) -> tauri::Result<Self> {
        let status = MenuItem::with_id(
            app,
            TrayItem::Status.id(),
            "Not signed in",
            false,
            None::<&str>,
        )?;
        let tenant = MenuItem::with_id(app, "tenant", tenant_label, false, None::<&str>)?;
        let open = MenuItem::with_id(
            app,
            TrayItem::Open.id(),
            "Open Latchkey",
            true,
            None::<&str>,
        )?;
        let quit = MenuItem::with_id(
            app,
            TrayItem::Quit.id(),
            "Quit Latchkey",
            true,
            None::<&str>,
        )?;
        let menu = Menu::with_items(
            app,
            &[
                &status,
                &tenant,
                &PredefinedMenuItem::separator(app)?,
                &open,
                &quit,
            ],
        )?;
        let mut builder = TrayIconBuilder::with_id("latchkey")
            .menu(&menu)
            .tooltip("Latchkey")
            .on_menu_event(|app, event| match TrayItem::from_id(event.id().as_ref()) {
                Some(TrayItem::Open) => window::show_main(app),
                Some(TrayItem::Quit) => app.exit(0),
                Some(TrayItem::Status) | None => {}
            });
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        builder.build(app)?;
        Ok(Self { status })
    }

    /// Shows the session state in the menu.
    pub fn show_session(&self, session: &SessionState) {
        if let Err(e) = self.status.set_text(status_text(session)) {
            tracing::warn!(error = %e, "could not update the tray menu");
        }
    }
}

/// Updates the tray, if it exists.
pub fn show_session(app: &AppHandle, session: &SessionState) {
    if let Some(tray) = app.try_state::<Tray>() {
        tray.show_session(session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_ids_round_trip() {
        for item in TrayItem::ALL {
            assert_eq!(TrayItem::from_id(item.id()), Some(item));
        }
        assert_eq!(TrayItem::from_id("tenant"), None);
    }
}
