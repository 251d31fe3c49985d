//! Registers the app's commands so each must be allowed by a capability, and makes sure the
//! front end's output folder exists (`generate_context!` needs it even for `cargo check`).

/// Every IPC command the web view may call. `capabilities/main.json` allows each explicitly.
const COMMANDS: &[&str] = &[
    "app_snapshot",
    "start_sign_in",
    "start_browser_sign_in",
    "cancel_sign_in",
    "sign_out",
    "list_accounts",
    "add_account",
    "switch_account",
    "sign_out_account",
    "list_eligibilities",
    "last_known",
    "open_verification_page",
    "copy_user_code",
    "list_activations",
    "list_requests",
    "activate",
    "deactivate",
    "cancel_request",
    "list_approvals",
    "decide",
    "approval_history",
    "step_up_and_activate",
    "cancel_step_up",
    "get_settings",
    "save_settings",
    "list_favourites",
    "save_favourites",
];

fn main() {
    let dist = std::path::Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        println!("cargo:warning=ui/dist is missing: run `npm --prefix ui run build` first, or the window will be empty");
        let _ = std::fs::create_dir_all(dist);
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
