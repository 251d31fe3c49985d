//! Latchkey's core: everything the app and the command line do that is not drawing pixels.
//! No Tauri here, so it builds and tests fast.

pub mod accounts;
pub mod announcements;
pub mod arm;
pub mod auth;
pub mod clock;
pub mod endpoints;
pub mod error;
pub mod favourites;
pub mod graph;
pub mod http;
pub mod ipc;
mod json_file;
pub mod justifications;
pub mod last_known;
mod latchkey;
pub mod model;
pub mod policy_cache;
pub mod reminders;
pub mod rest;
pub mod secrets;
pub mod sensitive;
pub mod session;
pub mod settings;
pub mod time;

pub use error::{Error, ErrorCode, Result};
pub use latchkey::{Latchkey, LatchkeyConfig};
pub use sensitive::Sensitive;

/// The tracing target of the startup phase marks (debug level, off unless `LATCHKEY_LOG` asks
/// for them) that the window benchmark reads: the shell's marks and the core's share it. Phase
/// names only, never an account or a token.
pub const STARTUP_TARGET: &str = "latchkey::startup";
