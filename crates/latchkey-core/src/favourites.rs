//! Favourites: the groups and roles the user starred, pinned on top of the eligible list.
//! Stored by target (stable across sign-ins and renames) in `favourites.json` in the data dir,
//! pretty-printed; a damaged file means no favourites (with a warning), never a crash.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode};
use crate::model::{ActivationInput, Eligibility, Target};

/// At most this many favourites.
pub const MAX_FAVOURITES: usize = 50;

/// One starred group or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "Favourite.ts")]
pub struct Favourite {
    pub target: Target,
    /// Its name when it was starred, for menus that show favourites without a listing.
    pub name: String,
    /// The justification remembered for it, for one-click activation from the tray.
    #[serde(default)]
    pub justification: Option<String>,
}

/// What a click on a favourite in the tray does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OneClick {
    /// Send this activation as is.
    Activate(ActivationInput),
    /// One click cannot satisfy the policy: open the window instead, saying why.
    OpenWindow(String),
}

/// Decides a tray click: activate at once with the remembered justification and the default
/// duration (capped by the policy's maximum) when nothing else is needed; otherwise (a ticket,
/// MFA, an approval, a justification never given, an unknown policy, no longer eligible) open
/// the window. `remembered` is the justification last sent for the target
/// ([`crate::justifications`]): it wins over the copy taken when the favourite was starred.
pub fn one_click(
    favourite: &Favourite,
    eligibility: Option<&Eligibility>,
    default_minutes: u32,
    remembered: Option<&str>,
) -> OneClick {
    let name = &favourite.name;
    let Some(eligibility) = eligibility else {
        return OneClick::OpenWindow(format!("You are no longer eligible for {name}."));
    };
    let rules = &eligibility.requirements;
    let justification = remembered
        .filter(|j| !j.trim().is_empty())
        .or(favourite.justification.as_deref())
        .map(str::trim)
        .filter(|j| !j.is_empty())
        .map(str::to_owned);
    let blocker = if !rules.known {
        Some("its policy could not be read")
    } else if rules.ticket {
        Some("it needs a ticket number")
    } else if rules.mfa || rules.authentication_context.is_some() {
        Some("it needs a stronger sign-in")
    } else if rules.approval {
        Some("it needs approval")
    } else if rules.justification && justification.is_none() {
        Some("it needs a justification")
    } else {
        None
    };
    if let Some(why) = blocker {
        return OneClick::OpenWindow(format!("{name}: {why}, so Latchkey opened the window."));
    }
    let duration_minutes = rules
        .max_duration_minutes
        .map_or(default_minutes, |max| default_minutes.min(max));
    OneClick::Activate(ActivationInput {
        target: eligibility.target.clone(),
        duration_minutes,
        justification,
        ticket_number: None,
        ticket_system: None,
        start_at: None,
    })
}

/// The file behind the favourites.
#[derive(Debug, Clone)]
pub struct FavouritesFile {
    path: PathBuf,
}

impl FavouritesFile {
    /// Favourites stored at `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// The stored favourites; none when there is no file; a damaged one gives a warning.
    pub fn load(&self) -> (Vec<Favourite>, Option<String>) {
        match std::fs::read(&self.path) {
            Ok(bytes) => match serde_json::from_slice::<Vec<Favourite>>(&bytes) {
                Ok(mut list) => {
                    list.truncate(MAX_FAVOURITES);
                    (list, None)
                }
                Err(e) => (
                    Vec::new(),
                    Some(format!(
                        "the favourites file is damaged ({e}); starting without favourites"
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), None),
            Err(e) => (
                Vec::new(),
                Some(format!("could not read the favourites file ({e})")),
            ),
        }
    }

    /// Checks and writes the favourites atomically; repeats of a target are dropped.
    pub fn save(&self, favourites: Vec<Favourite>) -> Result<Vec<Favourite>, Error> {
        if favourites.len() > MAX_FAVOURITES {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("Star at most {MAX_FAVOURITES} groups and roles."),
            ));
        }
        let mut unique: Vec<Favourite> = Vec::with_capacity(favourites.len());
        for favourite in favourites {
            if !unique.iter().any(|f| f.target == favourite.target) {
                unique.push(favourite);
            }
        }
        crate::json_file::write_atomically(&self.path, &unique)
            .map_err(|e| Error::internal(format!("Couldn't save the favourites ({e}).")))?;
        Ok(unique)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GroupAccess;

    fn group(id: &str) -> Favourite {
        Favourite {
            target: Target::Group {
                group_id: id.into(),
                access: GroupAccess::Member,
            },
            name: format!("Group {id}"),
            justification: Some("Routine work".into()),
        }
    }

    fn eligible(fav: &Favourite, rules: crate::model::Requirements) -> Eligibility {
        Eligibility {
            id: "e".into(),
            target: fav.target.clone(),
            name: Some(fav.name.clone()),
            description: None,
            scope_name: None,
            member_type: "Direct".into(),
            start_date_time: None,
            end_date_time: None,
            requirements: rules,
        }
    }

    fn open() -> crate::model::Requirements {
        crate::model::Requirements {
            known: true,
            max_duration_minutes: Some(45),
            justification: true,
            ticket: false,
            mfa: false,
            authentication_context: None,
            approval: false,
        }
    }

    #[test]
    fn a_simple_policy_activates_in_one_click_with_the_remembered_justification_capped() {
        let fav = group("a");
        let OneClick::Activate(input) = one_click(&fav, Some(&eligible(&fav, open())), 60, None)
        else {
            panic!("expected an activation");
        };
        assert_eq!(input.duration_minutes, 45, "capped by the policy's maximum");
        assert_eq!(input.justification.as_deref(), Some("Routine work"));
        assert_eq!(input.target, fav.target);
    }

    #[test]
    fn what_one_click_cannot_satisfy_opens_the_window() {
        let fav = group("a");
        let cases = [
            crate::model::Requirements {
                ticket: true,
                ..open()
            },
            crate::model::Requirements {
                mfa: true,
                ..open()
            },
            crate::model::Requirements {
                approval: true,
                ..open()
            },
            crate::model::Requirements {
                known: false,
                ..open()
            },
        ];
        for rules in cases {
            assert!(
                matches!(
                    one_click(&fav, Some(&eligible(&fav, rules.clone())), 60, None),
                    OneClick::OpenWindow(_)
                ),
                "{rules:?}"
            );
        }
        let unjustified = Favourite {
            justification: Some("  ".into()),
            ..fav.clone()
        };
        assert!(matches!(
            one_click(&unjustified, Some(&eligible(&fav, open())), 60, None),
            OneClick::OpenWindow(_)
        ));
        assert!(matches!(
            one_click(&fav, None, 60, Some("Routine work")),
            OneClick::OpenWindow(_)
        ));
    }

    #[test]
    fn the_justification_sent_last_wins_over_the_copy_taken_when_starred() {
        let fav = group("a");
        let rules = open();
        let eligibility = eligible(&fav, rules);
        let justification = |remembered| match one_click(&fav, Some(&eligibility), 60, remembered) {
            OneClick::Activate(input) => input.justification,
            OneClick::OpenWindow(why) => panic!("expected an activation: {why}"),
        };
        assert_eq!(
            justification(Some("Pager rota")).as_deref(),
            Some("Pager rota")
        );
        assert_eq!(
            justification(Some("   ")).as_deref(),
            Some("Routine work"),
            "a blank memory falls back"
        );
        assert_eq!(justification(None).as_deref(), Some("Routine work"));
        let never_typed = Favourite {
            justification: None,
            ..fav.clone()
        };
        assert!(
            matches!(
                one_click(&never_typed, Some(&eligibility), 60, Some("Typed later")),
                OneClick::Activate(ActivationInput { justification: Some(ref j), .. }) if j == "Typed later"
            ),
            "starred before any justification was typed: the one typed since is used"
        );
    }

    #[test]
    fn favourites_round_trip_without_repeats_and_a_damaged_file_means_none() {
        let dir = std::env::temp_dir().join(format!("latchkey-fav-{}", uuid::Uuid::new_v4()));
        let file = FavouritesFile::new(dir.join("favourites.json"));
        assert_eq!(file.load(), (Vec::new(), None));
        let stored = file.save(vec![group("a"), group("b"), group("a")]).unwrap();
        assert_eq!(stored, [group("a"), group("b")]);
        assert_eq!(file.load(), (stored, None));
        let too_many = (0..=MAX_FAVOURITES)
            .map(|i| group(&i.to_string()))
            .collect();
        assert_eq!(
            file.save(too_many).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        std::fs::write(dir.join("favourites.json"), "{oops").unwrap();
        let (list, warning) = file.load();
        assert!(list.is_empty() && warning.is_some());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
