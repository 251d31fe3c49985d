//! The user's settings: reminder lead times, the default activation duration, start at login
//! and how often the approver's inbox is read. Stored as a readable pretty-printed
//! `settings.json` in the platform config dir. A damaged or hand-edited file never stops
//! Latchkey: each field that is missing, unknown or out of range falls back to its default,
//! with a warning saying which.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode};
use crate::reminders::DEFAULT_LEAD_MINUTES;

/// Lead times are between 1 minute and 2 hours; at most this many.
pub const MAX_LEAD_TIMES: usize = 4;
const LEAD_RANGE: std::ops::RangeInclusive<u32> = 1..=120;
/// PIM's activations last between 5 minutes and a day.
const DURATION_RANGE: std::ops::RangeInclusive<u32> = 5..=1440;
/// Reading the inbox more often than every 15 s only earns throttling; less than hourly is useless.
const POLL_RANGE: std::ops::RangeInclusive<u32> = 15..=3600;

/// What the user chose (crosses IPC as is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Settings.ts")]
pub struct Settings {
    /// Minutes before the end at which "ends in N min" is shown, most distant first.
    pub lead_minutes: Vec<u32>,
    /// The duration a new activation form (and a tray favourite) starts with, capped by policy.
    pub default_duration_minutes: u32,
    /// Start Latchkey (in the tray) when the user logs in.
    pub start_at_login: bool,
    /// Seconds between reads of the approver's inbox.
    pub approvals_poll_seconds: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lead_minutes: DEFAULT_LEAD_MINUTES.to_vec(),
            default_duration_minutes: 60,
            start_at_login: false,
            approvals_poll_seconds: 60,
        }
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidInput, message)
}

fn check_leads(leads: &[u32]) -> Result<(), Error> {
    if leads.len() > MAX_LEAD_TIMES {
        return Err(invalid(format!(
            "Choose at most {MAX_LEAD_TIMES} reminder times."
        )));
    }
    if let Some(bad) = leads.iter().find(|m| !LEAD_RANGE.contains(m)) {
        return Err(invalid(format!(
            "A reminder time must be between 1 and 120 minutes before the end ({bad} is not)."
        )));
    }
    Ok(())
}

fn check_duration(minutes: u32) -> Result<(), Error> {
    if DURATION_RANGE.contains(&minutes) {
        Ok(())
    } else {
        Err(invalid(
            "The default duration must be between 5 minutes and 24 hours (1440 minutes).",
        ))
    }
}

fn check_poll(seconds: u32) -> Result<(), Error> {
    if POLL_RANGE.contains(&seconds) {
        Ok(())
    } else {
        Err(invalid(
            "Check for approvals at most every 15 seconds and at least once an hour (3600 seconds).",
        ))
    }
}

impl Settings {
    /// Checks every field, returning the first problem in words the Settings view shows.
    /// Lead times come back sorted, most distant first, without repeats.
    pub fn validated(mut self) -> Result<Self, Error> {
        check_leads(&self.lead_minutes)?;
        check_duration(self.default_duration_minutes)?;
        check_poll(self.approvals_poll_seconds)?;
        self.lead_minutes.sort_unstable_by(|a, b| b.cmp(a));
        self.lead_minutes.dedup();
        Ok(self)
    }

    /// Reads settings from JSON text, field by field: what is missing, unknown or invalid
    /// becomes the default, and each such field gets a warning. Never fails.
    pub fn from_json_lenient(text: &str) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let defaults = Settings::default();
        let object = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(object)) => object,
            Ok(_) => {
                warnings.push("the settings file is not a JSON object; using the defaults".into());
                return (defaults, warnings);
            }
            Err(e) => {
                warnings.push(format!(
                    "the settings file is not valid JSON ({e}); using the defaults"
                ));
                return (defaults, warnings);
            }
        };
        for key in object.keys() {
            if ![
                "leadMinutes",
                "defaultDurationMinutes",
                "startAtLogin",
                "approvalsPollSeconds",
            ]
            .contains(&key.as_str())
            {
                warnings.push(format!("unknown setting {key:?} ignored"));
            }
        }
        fn field<T: serde::de::DeserializeOwned>(
            object: &serde_json::Map<String, serde_json::Value>,
            key: &str,
            warnings: &mut Vec<String>,
        ) -> Option<T> {
            let value = object.get(key)?;
            match serde_json::from_value(value.clone()) {
                Ok(v) => Some(v),
                Err(_) => {
                    warnings.push(format!(
                        "setting {key:?} has the wrong type; using the default"
                    ));
                    None
                }
            }
        }
        let mut settings = defaults;
        if let Some(v) = field(&object, "leadMinutes", &mut warnings) {
            settings.lead_minutes = v;
        }
        if let Some(v) = field(&object, "defaultDurationMinutes", &mut warnings) {
            settings.default_duration_minutes = v;
        }
        if let Some(v) = field(&object, "startAtLogin", &mut warnings) {
            settings.start_at_login = v;
        }
        if let Some(v) = field(&object, "approvalsPollSeconds", &mut warnings) {
            settings.approvals_poll_seconds = v;
        }
        // Out-of-range values fall back one field at a time, so one typo keeps the rest.
        let defaults = Settings::default();
        if let Err(e) = check_leads(&settings.lead_minutes) {
            warnings.push(format!(
                "setting \"leadMinutes\": {} Using the default.",
                e.message
            ));
            settings.lead_minutes = defaults.lead_minutes;
        }
        if let Err(e) = check_duration(settings.default_duration_minutes) {
            warnings.push(format!(
                "setting \"defaultDurationMinutes\": {} Using the default.",
                e.message
            ));
            settings.default_duration_minutes = defaults.default_duration_minutes;
        }
        if let Err(e) = check_poll(settings.approvals_poll_seconds) {
            warnings.push(format!(
                "setting \"approvalsPollSeconds\": {} Using the default.",
                e.message
            ));
            settings.approvals_poll_seconds = defaults.approvals_poll_seconds;
        }
        let settings = settings.validated().unwrap_or_default();
        (settings, warnings)
    }
}

/// The file behind [`Settings`].
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    /// Settings stored at `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// `<config dir>/latchkey/settings.json`, next to `config.json`.
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("latchkey").join("settings.json"))
    }

    /// Where the file is.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The stored settings, or the defaults when there is no file; problems become warnings.
    pub fn load(&self) -> (Settings, Vec<String>) {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Settings::from_json_lenient(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Settings::default(), Vec::new()),
            Err(e) => (
                Settings::default(),
                vec![format!(
                    "could not read the settings file ({e}); using the defaults"
                )],
            ),
        }
    }

    /// Validates and writes the settings atomically (a temporary file renamed over the old
    /// one), returning what was stored.
    pub fn save(&self, settings: Settings) -> Result<Settings, Error> {
        let settings = settings.validated()?;
        crate::json_file::write_atomically(&self.path, &settings).map_err(|e| {
            Error::internal(format!(
                "Couldn't save the settings to {} ({e}).",
                self.path.display()
            ))
        })?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file() -> (PathBuf, SettingsFile) {
        let dir = std::env::temp_dir().join(format!("latchkey-settings-{}", uuid::Uuid::new_v4()));
        let file = SettingsFile::new(dir.join("settings.json"));
        (dir, file)
    }

    #[test]
    fn defaults_are_15_and_5_minutes_an_hour_and_a_minute() {
        let s = Settings::default();
        assert_eq!(s.lead_minutes, [15, 5]);
        assert_eq!(s.default_duration_minutes, 60);
        assert_eq!(s.approvals_poll_seconds, 60);
        assert!(!s.start_at_login);
        assert_eq!(s.clone().validated().unwrap(), s);
    }

    #[test]
    fn save_writes_pretty_json_atomically_and_load_reads_it_back() {
        let (dir, file) = temp_file();
        assert_eq!(
            file.load(),
            (Settings::default(), vec![]),
            "no file: defaults"
        );
        let chosen = Settings {
            lead_minutes: vec![5, 30, 5],
            default_duration_minutes: 120,
            start_at_login: true,
            approvals_poll_seconds: 300,
        };
        let stored = file.save(chosen).unwrap();
        assert_eq!(stored.lead_minutes, [30, 5], "sorted, no repeats");
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(text.contains("\n  \"leadMinutes\": ["), "pretty: {text}");
        assert!(!dir.join("settings.json.tmp").exists());
        assert_eq!(file.load(), (stored, vec![]));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn invalid_settings_are_refused_with_invalid_input_and_nothing_is_written() {
        let (dir, file) = temp_file();
        let cases = [
            Settings {
                lead_minutes: vec![0],
                ..Settings::default()
            },
            Settings {
                lead_minutes: vec![1, 2, 3, 4, 5],
                ..Settings::default()
            },
            Settings {
                default_duration_minutes: 2000,
                ..Settings::default()
            },
            Settings {
                approvals_poll_seconds: 1,
                ..Settings::default()
            },
        ];
        for case in cases {
            let e = file.save(case.clone()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput, "{case:?}");
            assert!(!e.message.is_empty());
        }
        assert!(!file.path().exists());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_damaged_file_falls_back_field_by_field_with_warnings() {
        let (s, w) = Settings::from_json_lenient("{not json");
        assert_eq!(s, Settings::default());
        assert_eq!(w.len(), 1);

        let (s, w) = Settings::from_json_lenient(
            r#"{"leadMinutes": [30, 0], "defaultDurationMinutes": "two hours",
                "startAtLogin": true, "approvalsPollSeconds": 120, "colour": "blue"}"#,
        );
        assert_eq!(
            s,
            Settings {
                lead_minutes: vec![15, 5],
                default_duration_minutes: 60,
                start_at_login: true,
                approvals_poll_seconds: 120,
            }
        );
        let text = w.join(" | ");
        assert!(text.contains("colour"), "{text}");
        assert!(text.contains("defaultDurationMinutes"), "{text}");
        assert!(text.contains("leadMinutes"), "{text}");
        assert!(!text.contains("approvalsPollSeconds"), "{text}");

        let (s, w) = Settings::from_json_lenient(r#"{"approvalsPollSeconds": 5}"#);
        assert_eq!(s.approvals_poll_seconds, 60);
        assert_eq!(w.len(), 1, "{w:?}");
        let (s, w) = Settings::from_json_lenient("[1, 2]");
        assert_eq!((s, w.len()), (Settings::default(), 1));
    }
}
