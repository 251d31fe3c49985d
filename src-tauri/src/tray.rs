//! The tray icon and its menu. Linux trays have no click events or tooltips, so everything is a
//! menu item: the session, what is active with the time left, favourites, Open, Refresh, Sign
//! out, Quit. Menu ids convert to and from an enum instead of being matched as raw strings.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use latchkey_core::ipc::SessionState;
use latchkey_core::model::Activation;
use latchkey_core::time::parse_lenient;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Wry};

use crate::{notify, window, AppState};

/// The tray menu's actionable items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayItem {
    Open,
    /// "N requests wait for your decision": opens the approver's inbox.
    Approvals,
    /// The favourite at this index of `favourites.json`: one-click activation.
    Favourite(usize),
    /// Reads what is active and what waits from the service now.
    Refresh,
    /// Signs the current account out (the others stay signed in).
    SignOut,
    Quit,
}

impl TrayItem {
    const FIXED: [TrayItem; 5] = [
        TrayItem::Open,
        TrayItem::Approvals,
        TrayItem::Refresh,
        TrayItem::SignOut,
        TrayItem::Quit,
    ];

    /// The menu id.
    pub fn id(self) -> String {
        match self {
            TrayItem::Open => "open".to_owned(),
            TrayItem::Approvals => "approvals".to_owned(),
            TrayItem::Favourite(index) => format!("favourite-{index}"),
            TrayItem::Refresh => "refresh".to_owned(),
            TrayItem::SignOut => "sign-out".to_owned(),
            TrayItem::Quit => "quit".to_owned(),
        }
    }

    /// The item for a menu id; informational lines have none.
    pub fn from_id(id: &str) -> Option<Self> {
        if let Some(index) = id.strip_prefix("favourite-") {
            return index.parse().ok().map(TrayItem::Favourite);
        }
        Self::FIXED.into_iter().find(|item| item.id() == id)
    }
}

/// The status line's text for a session state.
pub fn status_text(session: &SessionState) -> String {
    match session {
        SessionState::SignedIn { account } => format!("Signed in as {}", account.display_name),
        SessionState::SigningIn { .. } | SessionState::SigningInBrowser => "Signing in…".to_owned(),
        SessionState::Restoring => "Signing you in again…".to_owned(),
        SessionState::SignedOut { .. } => "Not signed in".to_owned(),
    }
}

/// "Prod DB Admins — 42 min left", for one active item.
pub fn active_line(activation: &Activation, now: DateTime<Utc>) -> String {
    let name = activation.label();
    let Some(end) = activation.end_date_time.as_deref().and_then(parse_lenient) else {
        return format!("{name} — permanent");
    };
    let minutes = ((end - now).num_seconds().max(0) + 59) / 60;
    match minutes {
        0 => format!("{name} — ending now"),
        m if m < 60 => format!("{name} — {m} min left"),
        m => format!("{name} — {} h {:02} min left", m / 60, m % 60),
    }
}

#[derive(Default)]
struct View {
    status: String,
    active: Vec<String>,
    /// Requests waiting for my decision.
    waiting: usize,
    /// The favourites' names, in order.
    favourites: Vec<String>,
}

/// The tray icon and what its menu shows.
pub struct Tray {
    icon: TrayIcon,
    tenant_label: String,
    view: Mutex<View>,
}

impl Tray {
    /// Creates the tray icon.
    pub fn create(app: &AppHandle, tenant_label: &str) -> tauri::Result<Self> {
        let mut builder = TrayIconBuilder::with_id("latchkey")
            .tooltip("Latchkey")
            .on_menu_event(|app, event| match TrayItem::from_id(event.id().as_ref()) {
                Some(TrayItem::Open) => window::show_main(app),
                Some(TrayItem::Approvals) => window::show(app, Some(window::View::Approvals)),
                Some(TrayItem::Favourite(index)) => {
                    crate::favourites::activate_from_tray(app, index)
                }
                Some(TrayItem::Refresh) => app.state::<AppState>().refresh.notify_one(),
                Some(TrayItem::SignOut) => sign_out(app),
                Some(TrayItem::Quit) => app.exit(0),
                None => {}
            });
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        let tray = Self {
            icon: builder.build(app)?,
            tenant_label: tenant_label.to_owned(),
            view: Mutex::new(View {
                status: "Not signed in".to_owned(),
                active: Vec::new(),
                waiting: 0,
                favourites: Vec::new(),
            }),
        };
        tray.render(app)?;
        Ok(tray)
    }

    fn render(&self, app: &AppHandle) -> tauri::Result<()> {
        let view = self.view.lock().unwrap_or_else(|e| e.into_inner());
        let info = |id: String, text: &str| MenuItem::with_id(app, id, text, false, None::<&str>);
        let mut items: Vec<MenuItem<Wry>> = vec![
            info("status".into(), &view.status)?,
            info("tenant".into(), &self.tenant_label)?,
        ];
        for (index, line) in view.active.iter().enumerate() {
            items.push(info(format!("active-{index}"), line)?);
        }
        if let Some(line) = waiting_line(view.waiting) {
            // Linux trays have no click events: the inbox must be reachable from the menu.
            items.push(MenuItem::with_id(
                app,
                TrayItem::Approvals.id(),
                line,
                true,
                None::<&str>,
            )?);
        }
        let signed_in = view.status.starts_with("Signed in");
        for (index, name) in view.favourites.iter().enumerate() {
            // One click activates it (or opens the window when the policy needs more).
            items.push(MenuItem::with_id(
                app,
                TrayItem::Favourite(index).id(),
                format!("Activate {name}"),
                signed_in,
                None::<&str>,
            )?);
        }
        let separator = PredefinedMenuItem::separator(app)?;
        let open = MenuItem::with_id(
            app,
            TrayItem::Open.id(),
            "Open Latchkey",
            true,
            None::<&str>,
        )?;
        let refresh = MenuItem::with_id(
            app,
            TrayItem::Refresh.id(),
            "Refresh",
            signed_in,
            None::<&str>,
        )?;
        let sign_out = MenuItem::with_id(
            app,
            TrayItem::SignOut.id(),
            "Sign out",
            signed_in,
            None::<&str>,
        )?;
        let quit = MenuItem::with_id(
            app,
            TrayItem::Quit.id(),
            "Quit Latchkey",
            true,
            None::<&str>,
        )?;
        let menu = Menu::new(app)?;
        for item in &items {
            menu.append(item)?;
        }
        menu.append(&separator)?;
        menu.append(&open)?;
        menu.append(&refresh)?;
        menu.append(&sign_out)?;
        menu.append(&quit)?;
        self.icon.set_menu(Some(menu))
    }

    fn update(&self, app: &AppHandle, change: impl FnOnce(&mut View) -> bool) {
        let changed = change(&mut self.view.lock().unwrap_or_else(|e| e.into_inner()));
        if changed {
            if let Err(e) = self.render(app) {
                tracing::warn!(error = %e, "could not update the tray menu");
            }
        }
    }
}

/// The tray's Sign out: the current account, as the window's button does; a failure is said in
/// a notification (the window may be closed).
fn sign_out(app: &AppHandle) {
    let latchkey = app.state::<AppState>().latchkey.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = latchkey.sign_out().await {
            notify::show("Latchkey could not sign you out".to_owned(), e.message);
        }
    });
}

/// Shows the session state in the tray, if it exists.
pub fn show_session(app: &AppHandle, session: &SessionState) {
    if let Some(tray) = app.try_state::<Tray>() {
        let status = status_text(session);
        tray.update(app, |view| {
            std::mem::replace(&mut view.status, status.clone()) != status
        });
    }
}

/// Shows what is active and the time left, if the tray exists.
pub fn show_active(app: &AppHandle, activations: &[Activation], now: DateTime<Utc>) {
    if let Some(tray) = app.try_state::<Tray>() {
        let lines: Vec<String> = activations.iter().map(|a| active_line(a, now)).collect();
        tray.update(app, |view| {
            std::mem::replace(&mut view.active, lines.clone()) != lines
        });
    }
}

/// Shows the favourites for one-click activation, if the tray exists.
pub fn show_favourites(app: &AppHandle, names: Vec<String>) {
    if let Some(tray) = app.try_state::<Tray>() {
        tray.update(app, |view| {
            std::mem::replace(&mut view.favourites, names.clone()) != names
        });
    }
}

/// "2 requests wait for your decision", or nothing when none wait.
pub fn waiting_line(waiting: usize) -> Option<String> {
    match waiting {
        0 => None,
        1 => Some("1 request waits for your decision".to_owned()),
        n => Some(format!("{n} requests wait for your decision")),
    }
}

/// Shows how many requests wait for my decision, if the tray exists.
pub fn show_waiting(app: &AppHandle, waiting: usize) {
    if let Some(tray) = app.try_state::<Tray>() {
        tray.update(app, |view| {
            std::mem::replace(&mut view.waiting, waiting) != waiting
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use latchkey_core::model::{GroupAccess, Target};
    use latchkey_core::time::to_ipc;

    #[test]
    fn menu_ids_round_trip() {
        for item in TrayItem::FIXED.into_iter().chain([TrayItem::Favourite(3)]) {
            assert_eq!(TrayItem::from_id(&item.id()), Some(item));
        }
        assert_eq!(TrayItem::from_id("active-0"), None);
        assert_eq!(TrayItem::from_id("favourite-x"), None);
    }

    #[test]
    fn active_lines_say_the_time_left() {
        let now = Utc::now();
        let line = |minutes: i64| {
            active_line(
                &Activation {
                    id: "i".into(),
                    target: Target::Group {
                        group_id: "g".into(),
                        access: GroupAccess::Member,
                    },
                    name: Some("Prod DB Admins".into()),
                    scope_name: None,
                    start_date_time: to_ipc(now),
                    end_date_time: Some(to_ipc(now + chrono::Duration::minutes(minutes))),
                },
                now,
            )
        };
        assert_eq!(line(42), "Prod DB Admins — 42 min left");
        assert_eq!(line(125), "Prod DB Admins — 2 h 05 min left");
        assert_eq!(line(-1), "Prod DB Admins — ending now");
    }

    #[test]
    fn an_active_line_follows_the_clock_after_a_jump_or_a_suspend() {
        // The line is worked out from the end time and the clock at each watcher tick, with
        // nothing carried over from the tick before: after the clock jumps or the machine
        // sleeps, the next tick says the time that is really left.
        let start = Utc::now();
        let activation = Activation {
            id: "i".into(),
            target: Target::Group {
                group_id: "g".into(),
                access: GroupAccess::Member,
            },
            name: Some("On-call Responders".into()),
            scope_name: None,
            start_date_time: to_ipc(start),
            end_date_time: Some(to_ipc(start + chrono::Duration::minutes(90))),
        };
        let at =
            |minutes: i64| active_line(&activation, start + chrono::Duration::minutes(minutes));
        assert_eq!(at(0), "On-call Responders — 1 h 30 min left");
        assert_eq!(
            at(60),
            "On-call Responders — 30 min left",
            "clock jumped 1 h ahead"
        );
        assert_eq!(
            at(-60),
            "On-call Responders — 2 h 30 min left",
            "clock set 1 h back"
        );
        assert_eq!(
            at(77),
            "On-call Responders — 13 min left",
            "woke after a 77 min sleep"
        );
        assert_eq!(
            at(200),
            "On-call Responders — ending now",
            "slept past the end"
        );
    }

    #[test]
    fn the_waiting_line_counts_requests() {
        assert_eq!(waiting_line(0), None);
        assert_eq!(
            waiting_line(1).as_deref(),
            Some("1 request waits for your decision")
        );
        assert_eq!(
            waiting_line(3).as_deref(),
            Some("3 requests wait for your decision")
        );
    }
}
