//! The favourites commands: the starred groups and roles, stored in `favourites.json` in the
//! data dir (by target, so they survive renames and sign-ins), and the justification last sent
//! per target (`justifications.json`), which a tray favourite activates with.

use std::sync::Mutex;

use latchkey_core::favourites::{one_click, Favourite, FavouritesFile, OneClick};
use latchkey_core::ipc::AppError;
use latchkey_core::justifications::JustificationsFile;
use latchkey_core::model::ActivationInput;
use latchkey_core::model::RequestStatus;
use tauri::{AppHandle, Manager, State};

use crate::settings::SettingsState;
use crate::{notify, tenant, tray, window, AppState};

/// Managed state: the file, behind a lock so two saves never interleave.
pub struct FavouritesState {
    file: Mutex<FavouritesFile>,
    justifications: Mutex<JustificationsFile>,
}

impl Default for FavouritesState {
    /// `favourites.json` and `justifications.json` in the data dir.
    fn default() -> Self {
        Self {
            file: Mutex::new(FavouritesFile::new(
                tenant::data_dir().join("favourites.json"),
            )),
            justifications: Mutex::new(JustificationsFile::new(
                tenant::data_dir().join("justifications.json"),
            )),
        }
    }
}

impl FavouritesState {
    /// The stored favourites (a damaged file gives none, with a warning in the log).
    pub fn load(&self) -> Vec<Favourite> {
        let file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let (list, warning) = file.load();
        if let Some(warning) = warning {
            tracing::warn!("favourites: {warning}");
        }
        list
    }

    /// Remembers the justifications of activations sent from the window, so the tray's next
    /// one-click activation of the same target uses the latest one. A failure costs only that.
    pub fn remember_justifications(&self, inputs: &[ActivationInput]) {
        let file = self
            .justifications
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match file.remember(inputs, chrono::Utc::now()) {
            Ok(Some(warning)) => tracing::warn!("justifications: {warning}"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e.message, "could not remember the justification"),
        }
    }

    /// The justification last sent for `target`, if one is remembered.
    fn remembered_justification(&self, target: &latchkey_core::model::Target) -> Option<String> {
        let file = self
            .justifications
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let (list, warning) = file.load();
        if let Some(warning) = warning {
            tracing::warn!("justifications: {warning}");
        }
        list.recall(target).map(str::to_owned)
    }
}

/// Puts the favourites into the tray menu.
pub fn show_in_tray(app: &AppHandle, favourites: &[Favourite]) {
    tray::show_favourites(app, favourites.iter().map(|f| f.name.clone()).collect());
}

/// The tray's favourite at `index` was chosen: activate it in one click when its policy allows,
/// else open the window. The outcome is a notification (the window may be closed).
pub fn activate_from_tray(app: &AppHandle, index: usize) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<FavouritesState>();
        let Some(favourite) = state.load().into_iter().nth(index) else {
            return;
        };
        // Read at click time: the window may have sent a newer one since it was starred.
        let remembered = state.remembered_justification(&favourite.target);
        let latchkey = app.state::<AppState>().latchkey.clone();
        let default_minutes = app
            .state::<SettingsState>()
            .current()
            .default_duration_minutes;
        let eligibilities = match latchkey.list_eligibilities().await {
            Ok(listing) => listing.items,
            Err(e) => {
                notify::show(format!("{} was not activated", favourite.name), e.message);
                return;
            }
        };
        let eligibility = eligibilities.iter().find(|e| e.target == favourite.target);
        match one_click(
            &favourite,
            eligibility,
            default_minutes,
            remembered.as_deref(),
        ) {
            OneClick::OpenWindow(why) => {
                tracing::info!("tray favourite needs the window: {why}");
                // With its activation form open, where the missing ticket or sign-in is given.
                window::show_activation(&app, &favourite.target);
            }
            OneClick::Activate(input) => {
                let minutes = input.duration_minutes;
                let outcome = latchkey.activate(vec![input]).await;
                app.state::<AppState>().refresh.notify_one();
                let (title, body) = match outcome.map(|mut o| o.pop()) {
                    Ok(Some(o)) if o.error.is_none() => match o.status {
                        Some(RequestStatus::PendingApproval) => (
                            format!("{} waits for approval", favourite.name),
                            "You will be told when it is decided.".to_owned(),
                        ),
                        Some(RequestStatus::Provisioned) => (
                            format!("{} activated", favourite.name),
                            format!("For {minutes} minutes, with your remembered justification."),
                        ),
                        // 201 is not "granted": anything else is said as it is.
                        Some(
                            RequestStatus::Denied
                            | RequestStatus::Canceled
                            | RequestStatus::Revoked
                            | RequestStatus::Failed
                            | RequestStatus::TimedOut,
                        ) => (
                            format!("{} was not activated", favourite.name),
                            "PIM refused the request; open Latchkey for the reason.".to_owned(),
                        ),
                        _ => (
                            format!("{} was asked for", favourite.name),
                            "PIM is still processing it; the menu shows it once it is active."
                                .to_owned(),
                        ),
                    },
                    Ok(Some(o)) => (
                        format!("{} was not activated", favourite.name),
                        o.error.map(|e| e.message).unwrap_or_default(),
                    ),
                    Ok(None) => return,
                    Err(e) => (format!("{} was not activated", favourite.name), e.message),
                };
                notify::show(title, body);
            }
        }
    });
}

/// The starred groups and roles, in the order they were starred.
#[tauri::command]
pub fn list_favourites(state: State<'_, FavouritesState>) -> Vec<Favourite> {
    state.load()
}

/// Replaces the favourites; returns what was stored (repeats dropped).
#[tauri::command]
pub fn save_favourites(
    app: AppHandle,
    state: State<'_, FavouritesState>,
    favourites: Vec<Favourite>,
) -> Result<Vec<Favourite>, AppError> {
    let stored = {
        let file = state.file.lock().unwrap_or_else(|e| e.into_inner());
        file.save(favourites)?
    };
    show_in_tray(&app, &stored);
    Ok(stored)
}
