//! Latchkey's Tauri shell: wires the core's commands, state events, tray, window and
//! notifications together. Everything else lives in the Tauri-free crates.

mod commands;
mod favourites;
mod logging;
mod notify;
mod rendering;
mod settings;
mod tenant;
mod tray;
mod watch;
mod window;

use std::sync::Arc;

use latchkey_core::ipc::SessionState;
use latchkey_core::Latchkey;
use tauri::{AppHandle, Emitter, Manager, RunEvent};

/// Events Rust sends to the web view.
#[derive(Debug, Clone, Copy)]
pub enum AppEvent {
    /// Payload: `SessionState`.
    SessionChanged,
    /// Payload: the view to show (`"approvals"`), when the tray asks an open window for it.
    ShowView,
    /// Payload: a target key (`Target::key`) whose activation form the tray asks an open window
    /// to show (a favourite that needs more than one click).
    FocusTarget,
}

impl AppEvent {
    /// The event's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            AppEvent::SessionChanged => "session-changed",
            AppEvent::ShowView => "show-view",
            AppEvent::FocusTarget => "focus-target",
        }
    }
}

/// Managed state shared by the commands.
pub struct AppState {
    pub latchkey: Arc<Latchkey>,
    /// Wakes the watcher to re-read what is active (after an activation, say).
    pub refresh: Arc<tokio::sync::Notify>,
}

/// The command-line flag that starts Latchkey in the tray, without opening the window.
pub const HIDDEN_FLAG: &str = "--hidden";

/// Startup phase marks for the window benchmark (`scripts/bench-window.sh`): debug events of
/// target `latchkey::startup`, off unless `LATCHKEY_LOG` asks for them (for instance
/// `LATCHKEY_LOG=info,latchkey::startup=debug`); disabled, a mark costs one check of its
/// callsite and computes nothing. Each names its phase only — never an account or a token — and
/// carries the wall clock (`epoch_ms`, comparable with the process start in `/proc`) and the
/// time since `run` was entered (`since_run_ms`).
pub(crate) mod startup {
    use std::sync::OnceLock;
    use std::time::{Instant, SystemTime, UNIX_EPOCH};

    /// The target the marks are logged under (shared with the core's marks).
    pub use latchkey_core::STARTUP_TARGET as TARGET;

    static ENTERED: OnceLock<Instant> = OnceLock::new();

    /// A moment, taken before logging is up (the first mark).
    #[derive(Debug, Clone, Copy)]
    pub struct Moment {
        epoch_ms: f64,
        at: Instant,
    }

    impl Moment {
        pub fn now() -> Self {
            Self {
                epoch_ms: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
                at: Instant::now(),
            }
        }
    }

    /// Remembers when `run` was entered: `since_run_ms` counts from there.
    pub fn entered() -> Moment {
        let moment = Moment::now();
        let _ = ENTERED.set(moment.at);
        moment
    }

    /// Logs `phase` as reached at `moment`.
    pub fn mark_at(phase: &'static str, moment: Moment) {
        tracing::debug!(
            target: TARGET,
            phase,
            epoch_ms = format_args!("{:.3}", moment.epoch_ms),
            since_run_ms = format_args!(
                "{:.3}",
                ENTERED
                    .get()
                    .map_or(0.0, |t| moment.at.duration_since(*t).as_secs_f64() * 1000.0)
            ),
            "startup phase"
        );
    }

    /// Logs `phase` as reached now (the moment is only taken when the mark is enabled).
    pub fn mark(phase: &'static str) {
        if tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
            mark_at(phase, Moment::now());
        }
    }
}

/// Runs the app until the user quits.
pub fn run() {
    let entered = startup::entered();
    // Before logging starts its writer thread: this sets the process environment.
    let painting = rendering::apply();
    let _log_guard = logging::init();
    startup::mark_at("main entered", entered);
    tracing::info!(
        ?painting,
        "web view painting (set {}=cpu to paint without GPU compositing)",
        rendering::PAINTING_VAR
    );
    let app = tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("second launch: focusing the running instance");
            window::show_main(app);
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(tauri::generate_handler![
            commands::app_snapshot,
            commands::start_sign_in,
            commands::start_browser_sign_in,
            commands::cancel_sign_in,
            commands::sign_out,
            commands::list_accounts,
            commands::add_account,
            commands::switch_account,
            commands::sign_out_account,
            commands::list_eligibilities,
            commands::last_known,
            commands::open_verification_page,
            commands::copy_user_code,
            commands::list_activations,
            commands::list_requests,
            commands::activate,
            commands::deactivate,
            commands::cancel_request,
            commands::list_approvals,
            commands::decide,
            commands::approval_history,
            commands::step_up_and_activate,
            commands::cancel_step_up,
            settings::get_settings,
            settings::save_settings,
            favourites::list_favourites,
            favourites::save_favourites,
        ])
        .setup(|app| {
            startup::mark("setup begun");
            let handle = app.handle().clone();
            let connection = tauri::async_runtime::block_on(tenant::connect())
                .map_err(|e| format!("Latchkey could not start: {}", e.message))?;
            startup::mark("tenant connected");
            let latchkey = connection.latchkey.clone();
            if let Some(sandbox) = connection.sandbox {
                app.manage(sandbox);
            }
            let refresh = Arc::new(tokio::sync::Notify::new());
            app.manage(AppState {
                latchkey: latchkey.clone(),
                refresh: refresh.clone(),
            });
            let settings = settings::SettingsState::load_default();
            let live_settings = settings.subscribe();
            app.manage(settings);
            app.manage(favourites::FavouritesState::default());
            let tray = tray::Tray::create(&handle, &latchkey.snapshot().tenant.label)?;
            app.manage(tray);
            startup::mark("tray created");
            favourites::show_in_tray(&handle, &app.state::<favourites::FavouritesState>().load());
            forward_session_changes(handle.clone(), latchkey.clone(), refresh.clone());
            watch::spawn(handle.clone(), latchkey.clone(), refresh, live_settings);
            tauri::async_runtime::spawn(async move {
                startup::mark("session restore begun");
                latchkey.restore().await;
                startup::mark("session restore done");
            });
            // `--hidden` (start at login, the window benchmark) starts in the tray only: no web
            // view until the user opens the window from the menu.
            if !std::env::args().skip(1).any(|arg| arg == HIDDEN_FLAG) {
                window::show_main(&handle);
                startup::mark("window created");
            }
            startup::mark("setup done");
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "Latchkey could not start");
            eprintln!("Latchkey could not start: {e}");
            std::process::exit(1);
        }
    };
    startup::mark("event loop starting");
    app.run(|_app, event| {
        if let RunEvent::Ready = event {
            startup::mark("event loop ready");
        }
        // Closing the last window keeps Latchkey in the tray; only Quit (exit code set) ends it.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
}

/// Forwards every session change to the web view and the tray, and notifies on sign-in.
fn forward_session_changes(
    app: AppHandle,
    latchkey: Arc<Latchkey>,
    refresh: Arc<tokio::sync::Notify>,
) {
    let mut changes = latchkey.subscribe();
    tauri::async_runtime::spawn(async move {
        let mut previous = changes.borrow().clone();
        while changes.changed().await.is_ok() {
            let session = changes.borrow_and_update().clone();
            if let Err(e) = app.emit(AppEvent::SessionChanged.name(), &session) {
                tracing::warn!(error = %e, "could not send the session state to the window");
            }
            tray::show_session(&app, &session);
            refresh.notify_one();
            // The user is usually in the browser when device-code sign-in completes.
            if let (SessionState::SigningIn { .. }, SessionState::SignedIn { account }) =
                (&previous, &session)
            {
                notify::show(
                    format!("Signed in as {}", account.display_name),
                    format!(
                        "{} — you can close the browser tab.",
                        latchkey.snapshot().tenant.label
                    ),
                );
            }
            previous = session;
        }
    });
}

#[cfg(test)]
mod tests {
    /// Every command the web view calls (`CommandName` in the UI's Tauri backend) must be allowed
    /// by the main window's capability: one that is not is refused at run time, and a caller that
    /// swallows errors (the last known state, painted first) silently never works.
    #[test]
    fn every_command_the_ui_calls_is_allowed_to_the_main_window() {
        let backend = include_str!("../../ui/src/lib/tauri-backend.ts");
        let block = backend
            .split("export const CommandName = {")
            .nth(1)
            .and_then(|rest| rest.split("} as const;").next())
            .expect("CommandName in tauri-backend.ts");
        let called: Vec<&str> = block
            .lines()
            .filter_map(|line| line.split('"').nth(1))
            .collect();
        assert!(called.len() > 20, "read {} command names", called.len());
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("main.json");
        let allowed: Vec<&str> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        for command in called {
            let permission = format!("allow-{}", command.replace('_', "-"));
            assert!(
                allowed.contains(&permission.as_str()),
                "{command} is called by the UI but {permission} is not in capabilities/main.json"
            );
        }
    }
}
