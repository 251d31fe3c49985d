//! The justification last sent per target, remembered where the tray can read it: a tray
//! favourite activates with the latest one even while the web view (which keeps its own copy
//! for prefilling the form) is destroyed. Stored in `justifications.json` in the data dir,
//! pretty-printed and keyed by `Target::key`; a damaged file means nothing remembered (with a
//! warning), never a crash. Justifications are not secret: PIM shows them to approvers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{ActivationInput, Target};

/// At most this many targets are remembered; the oldest go first.
pub const MAX_REMEMBERED: usize = 500;

/// One remembered justification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Remembered {
    pub text: String,
    /// When it was sent; the newest wins.
    pub at: DateTime<Utc>,
}

/// The remembered justifications by target key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Justifications(BTreeMap<String, Remembered>);

impl Justifications {
    /// The justification last sent for `target`, if any.
    pub fn recall(&self, target: &Target) -> Option<&str> {
        self.0.get(&target.key()).map(|r| r.text.as_str())
    }

    /// Remembers each input's justification (blank ones are ignored) as sent at `now`.
    /// Returns whether anything changed.
    pub fn remember(&mut self, inputs: &[ActivationInput], now: DateTime<Utc>) -> bool {
        let mut changed = false;
        for input in inputs {
            let Some(text) = input
                .justification
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
            else {
                continue;
            };
            let entry = Remembered {
                text: text.to_owned(),
                at: now,
            };
            if self.0.insert(input.target.key(), entry.clone()) != Some(entry) {
                changed = true;
            }
        }
        while self.0.len() > MAX_REMEMBERED {
            let Some(oldest) = self
                .0
                .iter()
                .min_by_key(|(_, r)| r.at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.0.remove(&oldest);
        }
        changed
    }

    /// How many targets are remembered.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The file behind the remembered justifications.
#[derive(Debug, Clone)]
pub struct JustificationsFile {
    path: PathBuf,
}

impl JustificationsFile {
    /// Justifications stored at `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// What is remembered; nothing when there is no file; a damaged one gives a warning.
    pub fn load(&self) -> (Justifications, Option<String>) {
        match std::fs::read(&self.path) {
            Ok(bytes) => match serde_json::from_slice::<Justifications>(&bytes) {
                Ok(list) => (list, None),
                Err(e) => (
                    Justifications::default(),
                    Some(format!(
                        "the justifications file is damaged ({e}); starting with none remembered"
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Justifications::default(), None),
            Err(e) => (
                Justifications::default(),
                Some(format!("could not read the justifications file ({e})")),
            ),
        }
    }

    /// Remembers the inputs' justifications and writes the file atomically if anything
    /// changed. A damaged file is replaced (its warning is returned with the result).
    pub fn remember(
        &self,
        inputs: &[ActivationInput],
        now: DateTime<Utc>,
    ) -> Result<Option<String>, Error> {
        let (mut list, warning) = self.load();
        if !list.remember(inputs, now) {
            return Ok(warning);
        }
        crate::json_file::write_atomically(&self.path, &list)
            .map_err(|e| Error::internal(format!("Couldn't remember the justification ({e}).")))?;
        Ok(warning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GroupAccess;

    fn input(group: &str, justification: Option<&str>) -> ActivationInput {
        ActivationInput {
            target: Target::Group {
                group_id: group.into(),
                access: GroupAccess::Member,
            },
            duration_minutes: 60,
            justification: justification.map(str::to_owned),
            ticket_number: None,
            ticket_system: None,
            start_at: None,
        }
    }

    #[test]
    fn the_latest_justification_per_target_is_recalled_and_blanks_change_nothing() {
        let t0 = Utc::now();
        let mut list = Justifications::default();
        assert!(list.remember(&[input("A", Some(" First "))], t0));
        assert!(list.remember(
            &[input("a", Some("Second")), input("b", Some("Other"))],
            t0 + chrono::Duration::minutes(1)
        ));
        assert!(!list.remember(&[input("a", Some("  ")), input("b", None)], t0));
        assert_eq!(
            list.recall(&input("A", None).target),
            Some("Second"),
            "ids compare case-insensitively"
        );
        assert_eq!(list.recall(&input("b", None).target), Some("Other"));
        assert_eq!(list.recall(&input("c", None).target), None);
    }

    #[test]
    fn only_the_newest_are_kept() {
        let t0 = Utc::now();
        let mut list = Justifications::default();
        for i in 0..=MAX_REMEMBERED {
            let at = t0 + chrono::Duration::seconds(i as i64);
            list.remember(&[input(&format!("g{i}"), Some("Work"))], at);
        }
        assert_eq!(list.len(), MAX_REMEMBERED);
        assert_eq!(
            list.recall(&input("g0", None).target),
            None,
            "the oldest went"
        );
        assert_eq!(list.recall(&input("g1", None).target), Some("Work"));
    }

    #[test]
    fn the_file_round_trips_and_a_damaged_one_is_replaced_with_a_warning() {
        let dir = std::env::temp_dir().join(format!("latchkey-just-{}", uuid::Uuid::new_v4()));
        let file = JustificationsFile::new(dir.join("justifications.json"));
        assert_eq!(file.load(), (Justifications::default(), None));
        let now = Utc::now();
        assert_eq!(
            file.remember(&[input("a", Some("Pager rota"))], now)
                .unwrap(),
            None
        );
        let (list, warning) = file.load();
        assert_eq!(
            (list.recall(&input("a", None).target), warning),
            (Some("Pager rota"), None)
        );
        let text = std::fs::read_to_string(dir.join("justifications.json")).unwrap();
        assert!(
            text.contains("\"group|a|member\"") && text.contains("\n  "),
            "{text}"
        );

        std::fs::write(dir.join("justifications.json"), "{oops").unwrap();
        let (list, warning) = file.load();
        assert!(list.is_empty() && warning.is_some());
        let warning = file.remember(&[input("b", Some("Again"))], now).unwrap();
        assert!(warning.is_some(), "the damage is reported once more");
        assert_eq!(
            file.load().0.recall(&input("b", None).target),
            Some("Again")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
