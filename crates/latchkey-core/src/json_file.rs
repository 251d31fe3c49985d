//! Latchkey's small JSON files (settings, accounts, favourites, justifications, the reminders'
//! sent log) are written whole to a temporary file beside the target and renamed over it: a
//! crash or a full disk leaves the old file or the new one, never half of one.

use std::io;
use std::path::Path;

use serde::Serialize;

/// Writes `value` as pretty JSON with a final newline to `path`, atomically, creating its folder.
pub(crate) fn write_atomically<T: Serialize + ?Sized>(path: &Path, value: &T) -> io::Result<()> {
    let mut text = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    text.push(b'\n');
    replace(path, &text)
}

/// The same in compact JSON, for a cache nobody reads by hand (thousands of items).
pub(crate) fn write_compact_atomically<T: Serialize + ?Sized>(
    path: &Path,
    value: &T,
) -> io::Result<()> {
    replace(path, &serde_json::to_vec(value).map_err(io::Error::other)?)
}

fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temp = path.with_extension("json.tmp");
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_whole_and_leaves_no_temporary_behind() {
        let dir = std::env::temp_dir().join(format!("latchkey-json-file-{}", std::process::id()));
        let path = dir.join("nested").join("list.json");
        write_atomically(&path, &["a", "b"]).unwrap();
        write_atomically(&path, &["c"]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "[\n  \"c\"\n]\n");
        assert!(!path.with_extension("json.tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_folder_in_the_way_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("latchkey-json-dir-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("taken.json")).unwrap();
        assert!(write_atomically(&dir.join("taken.json"), &1).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
