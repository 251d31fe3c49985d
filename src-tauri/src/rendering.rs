//! How the web view paints on Linux. WebKitGTK composites on the GPU by default, through Skia
//! and OpenGL — and where there is no GPU (a VM, a remote desktop, Xvfb) through Mesa's
//! software rasteriser, llvmpipe. Latchkey's window is text in lists, which compositing does
//! not need. Measured with the window benchmark on the 2-core benchmark machine (Xvfb, 2,000
//! eligibilities, 10 live activations), GPU compositing → CPU painting: web process PSS
//! 221 → 126 MiB, idle CPU with the window open 2.2 → 1.0–1.6 % of a core, search keystroke →
//! frame median 17 → 4 ms (BENCHMARKS.md).
//!
//! It is not the default yet: with CPU painting, WebKitWebDriver's screenshot of the sign-in
//! screen never completes (the e2e settings spec times out after 20 s), and about half the
//! cold starts stall for ~510 ms in the keyring read and the page start (not seen with GPU
//! compositing, nor with `NO_AT_BRIDGE=1`). Until both are understood, `LATCHKEY_WEBVIEW_PAINTING=cpu`
//! asks WebKit for CPU painting (`WEBKIT_DISABLE_COMPOSITING_MODE=1`), unless the user has set
//! WebKit's variable themselves. It must run before any other thread starts: the environment
//! is process-wide.

use std::ffi::OsStr;

/// WebKitGTK's switch for painting without accelerated compositing.
pub const WEBKIT_DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Set to `cpu` for CPU painting.
pub const PAINTING_VAR: &str = "LATCHKEY_WEBVIEW_PAINTING";

/// How the web view will paint, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Painting {
    /// WebKit's default: compositing on the GPU where it can.
    Default,
    /// `LATCHKEY_WEBVIEW_PAINTING=cpu`: Latchkey turns compositing off.
    Cpu,
    /// `WEBKIT_DISABLE_COMPOSITING_MODE` was already set: the user's choice stands.
    UserSet,
}

/// Decides from the two variables as found; pure, so it is tested without touching the environment.
pub fn choose(webkit_var: Option<&OsStr>, painting: Option<&OsStr>) -> Painting {
    if webkit_var.is_some() {
        Painting::UserSet
    } else if painting.is_some_and(|v| v.eq_ignore_ascii_case("cpu")) {
        Painting::Cpu
    } else {
        Painting::Default
    }
}

/// Applies the choice to this process's environment (the web process inherits it). Call first
/// thing in `run`, while the process has one thread.
#[cfg(target_os = "linux")]
pub fn apply() -> Painting {
    let choice = choose(
        std::env::var_os(WEBKIT_DISABLE_COMPOSITING).as_deref(),
        std::env::var_os(PAINTING_VAR).as_deref(),
    );
    if choice == Painting::Cpu {
        std::env::set_var(WEBKIT_DISABLE_COMPOSITING, "1");
    }
    choice
}

/// Other platforms' web views are left as they are.
#[cfg(not(target_os = "linux"))]
pub fn apply() -> Painting {
    Painting::Default
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_painting_only_when_asked_and_never_over_the_users_own_setting() {
        assert_eq!(choose(None, None), Painting::Default);
        assert_eq!(choose(None, Some(OsStr::new("gpu"))), Painting::Default);
        assert_eq!(choose(None, Some(OsStr::new(""))), Painting::Default);
        assert_eq!(choose(None, Some(OsStr::new("cpu"))), Painting::Cpu);
        assert_eq!(choose(None, Some(OsStr::new("CPU"))), Painting::Cpu);
        // The user's own setting of WebKit's variable wins, whatever its value.
        assert_eq!(
            choose(Some(OsStr::new("0")), Some(OsStr::new("cpu"))),
            Painting::UserSet
        );
        assert_eq!(choose(Some(OsStr::new("1")), None), Painting::UserSet);
    }
}
