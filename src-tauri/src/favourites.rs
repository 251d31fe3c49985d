//! The favourites commands: the starred groups and roles, stored in `favourites.json` in the
//! data dir (by target, so they survive renames and sign-ins).

use std::sync::Mutex;

use latchkey_core::favourites::{Favourite, FavouritesFile};
use latchkey_core::ipc::AppError;
use tauri::State;

use crate::tenant;

/// Managed state: the file, behind a lock so two saves never interleave.
pub struct FavouritesState {
    file: Mutex<FavouritesFile>,
}

impl Default for FavouritesState {
    /// `favourites.json` in the data dir.
    fn default() -> Self {
        Self {
            file: Mutex::new(FavouritesFile::new(
                tenant::data_dir().join("favourites.json"),
            )),
        }
    }
}

/// The starred groups and roles, in the order they were starred.
#[tauri::command]
pub fn list_favourites(state: State<'_, FavouritesState>) -> Vec<Favourite> {
    let file = state.file.lock().unwrap_or_else(|e| e.into_inner());
    let (list, warning) = file.load();
    if let Some(warning) = warning {
        tracing::warn!("favourites: {warning}");
    }
    list
}

/// Replaces the favourites; returns what was stored (repeats dropped).
#[tauri::command]
pub fn save_favourites(
    state: State<'_, FavouritesState>,
    favourites: Vec<Favourite>,
) -> Result<Vec<Favourite>, AppError> {
    let file = state.file.lock().unwrap_or_else(|e| e.into_inner());
    Ok(file.save(favourites)?)
}
