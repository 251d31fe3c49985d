//! Settings in the app: the `get_settings` / `save_settings` commands, the live copy the
//! watcher follows (lead times and the inbox interval apply at once, without a restart), and
//! start at login.
//!
//! Start at login writes the XDG autostart entry (`~/.config/autostart/latchkey.desktop`)
//! itself, behind the small [`Autostart`] trait, instead of `tauri-plugin-autostart`: that
//! plugin is not in the offline crate cache, and on Linux it writes the same file.

use std::path::PathBuf;

use latchkey_core::ipc::AppError;
use latchkey_core::settings::{Settings, SettingsFile};
use latchkey_core::Error;
use tauri::State;
use tokio::sync::watch;

/// Turns starting at login on or off.
pub trait Autostart: Send + Sync {
    fn set(&self, enabled: bool) -> std::io::Result<()>;
}

/// The freedesktop autostart entry, honoured by GNOME, KDE, Xfce and others.
pub struct XdgAutostart {
    /// `<config dir>/autostart`.
    pub dir: PathBuf,
    /// The program to start.
    pub exec: PathBuf,
}

impl XdgAutostart {
    fn entry(&self) -> PathBuf {
        self.dir.join("latchkey.desktop")
    }

    /// The entry's text; the path is quoted as the Desktop Entry spec asks. At login Latchkey
    /// starts in the tray (`--hidden`): the window opens from the menu when it is wanted.
    pub fn desktop_entry(&self) -> String {
        let exec = self
            .exec
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        format!(
            "[Desktop Entry]\nType=Application\nName=Latchkey\n\
             Comment=Just-in-time privileged access for Microsoft Entra PIM\n\
             Exec=\"{exec}\" {hidden}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
            hidden = crate::HIDDEN_FLAG
        )
    }
}

impl Autostart for XdgAutostart {
    fn set(&self, enabled: bool) -> std::io::Result<()> {
        let entry = self.entry();
        if enabled {
            std::fs::create_dir_all(&self.dir)?;
            let temp = entry.with_extension("desktop.tmp");
            std::fs::write(&temp, self.desktop_entry())?;
            std::fs::rename(temp, entry)
        } else {
            match std::fs::remove_file(entry) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        }
    }
}

/// Managed state: the file, the live copy and start at login.
pub struct SettingsState {
    file: SettingsFile,
    live: watch::Sender<Settings>,
    autostart: Box<dyn Autostart>,
}

impl SettingsState {
    /// Loads `settings.json` (warnings go to the log, never to a crash).
    pub fn load(file: SettingsFile, autostart: Box<dyn Autostart>) -> Self {
        let (settings, warnings) = file.load();
        for warning in warnings {
            tracing::warn!(path = %file.path().display(), "settings: {warning}");
        }
        Self {
            file,
            live: watch::Sender::new(settings),
            autostart,
        }
    }

    /// The default file and the XDG autostart entry for this executable.
    pub fn load_default() -> Self {
        let config = dirs::config_dir().unwrap_or_else(std::env::temp_dir);
        let file = SettingsFile::new(
            SettingsFile::default_path()
                .unwrap_or_else(|| config.join("latchkey").join("settings.json")),
        );
        let exec = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("latchkey"));
        let autostart = XdgAutostart {
            dir: config.join("autostart"),
            exec,
        };
        Self::load(file, Box::new(autostart))
    }

    /// What is in force now.
    pub fn current(&self) -> Settings {
        self.live.borrow().clone()
    }

    /// Follows every change.
    pub fn subscribe(&self) -> watch::Receiver<Settings> {
        self.live.subscribe()
    }

    /// Validates, applies start at login, writes the file and tells the watcher.
    pub fn save(&self, settings: Settings) -> Result<Settings, Error> {
        let settings = settings.validated()?;
        if settings.start_at_login != self.current().start_at_login {
            self.autostart
                .set(settings.start_at_login)
                .map_err(|e| Error::internal(format!("Couldn't change start at login ({e}).")))?;
        }
        let stored = self.file.save(settings)?;
        self.live.send_replace(stored.clone());
        Ok(stored)
    }
}

/// The settings in force.
#[tauri::command]
pub fn get_settings(state: State<'_, SettingsState>) -> Settings {
    state.current()
}

/// Saves the settings; refused with `invalidInput` (and nothing changed) when a field is out of
/// range. Returns what was stored (lead times sorted).
#[tauri::command]
pub fn save_settings(
    state: State<'_, SettingsState>,
    settings: Settings,
) -> Result<Settings, AppError> {
    Ok(state.save(settings)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use latchkey_core::ErrorCode;

    fn temp_dir() -> PathBuf {
        std::env::temp_dir().join(format!(
            "latchkey-app-settings-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ))
    }

    #[test]
    fn saving_applies_start_at_login_and_reaches_subscribers() {
        let dir = temp_dir();
        let autostart = XdgAutostart {
            dir: dir.join("autostart"),
            exec: PathBuf::from("/opt/Latchkey App/latchkey"),
        };
        let state = SettingsState::load(
            SettingsFile::new(dir.join("latchkey/settings.json")),
            Box::new(autostart),
        );
        let mut changes = state.subscribe();
        let stored = state
            .save(Settings {
                start_at_login: true,
                lead_minutes: vec![5, 10],
                ..Settings::default()
            })
            .unwrap();
        assert_eq!(stored.lead_minutes, [10, 5]);
        assert!(changes.has_changed().unwrap());
        assert_eq!(changes.borrow_and_update().lead_minutes, [10, 5]);
        let entry = std::fs::read_to_string(dir.join("autostart/latchkey.desktop")).unwrap();
        assert!(
            entry.contains("Exec=\"/opt/Latchkey App/latchkey\" --hidden\n"),
            "{entry}"
        );

        let refused = state
            .save(Settings {
                approvals_poll_seconds: 0,
                start_at_login: false,
                ..Settings::default()
            })
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::InvalidInput);
        assert!(
            dir.join("autostart/latchkey.desktop").exists(),
            "a refused save changes nothing"
        );
        assert!(!changes.has_changed().unwrap());

        state
            .save(Settings {
                start_at_login: false,
                ..Settings::default()
            })
            .unwrap();
        assert!(!dir.join("autostart/latchkey.desktop").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
