//! Favourites: the groups and roles the user starred, pinned on top of the eligible list.
//! Stored by target (stable across sign-ins and renames) in `favourites.json` in the data dir,
//! pretty-printed; a damaged file means no favourites (with a warning), never a crash.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode};
use crate::model::Target;

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
        let write = || -> std::io::Result<()> {
            if let Some(parent) = self.path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let temp = self.path.with_extension("json.tmp");
            std::fs::write(
                &temp,
                serde_json::to_vec_pretty(&unique).map_err(std::io::Error::other)?,
            )?;
            std::fs::rename(&temp, &self.path)
        };
        write().map_err(|e| Error::internal(format!("Couldn't save the favourites ({e}).")))?;
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
        }
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
