//! The IPC commands: thin wrappers over `latchkey_core::Latchkey`. Errors cross as
//! `{code, message}`; nothing returned here contains a token.

use latchkey_core::ipc::{AppError, AppSnapshot, DeviceCodePrompt, StoredAccount};
use latchkey_core::last_known::LastKnown;
use latchkey_core::model::{
    Activation, ActivationInput, ApprovalItem, DecisionInput, DecisionOutcome, Eligibility,
    Listing, PimRequest, Plane, RequestOutcome, RequesterHistory, Target,
};
use latchkey_core::{Error, ErrorCode};
use tauri::{AppHandle, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

use crate::favourites::FavouritesState;
use crate::AppState;

type CommandResult<T> = Result<T, AppError>;

/// One batch from the window: between 1 and 100 items, so a runaway page cannot flood PIM.
fn check_batch<T>(items: &[T], what: &str) -> CommandResult<()> {
    if items.is_empty() || items.len() > 100 {
        return Err(AppError::from(Error::new(
            ErrorCode::InvalidInput,
            format!("Choose between 1 and 100 {what}."),
        )));
    }
    Ok(())
}

/// What to draw right now.
#[tauri::command]
pub fn app_snapshot(state: State<'_, AppState>) -> AppSnapshot {
    state.latchkey.snapshot()
}

/// Starts a device-code sign-in.
#[tauri::command]
pub async fn start_sign_in(state: State<'_, AppState>) -> CommandResult<DeviceCodePrompt> {
    Ok(state.latchkey.start_sign_in().await?)
}

/// Starts a browser sign-in (for tenants that block device code); the outcome arrives as a
/// `session-changed` event.
#[tauri::command]
pub async fn start_browser_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    let open = |url: &str| open_in_browser(&app, url).map_err(|e| Error::new(e.code, e.message));
    Ok(state.latchkey.start_browser_sign_in(open).await?)
}

/// Cancels a sign-in under way.
#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    state.latchkey.cancel_sign_in();
}

/// Signs out and removes the refresh token from the keyring.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.latchkey.sign_out().await?)
}

/// The accounts signed in on this computer, marking the current one.
#[tauri::command]
pub fn list_accounts(state: State<'_, AppState>) -> Vec<StoredAccount> {
    state.latchkey.list_accounts()
}

/// Starts a device-code sign-in for another account; the others stay signed in.
#[tauri::command]
pub async fn add_account(state: State<'_, AppState>) -> CommandResult<DeviceCodePrompt> {
    Ok(state.latchkey.add_account().await?)
}

/// Makes another stored account current (from its keyring entry, no sign-in).
#[tauri::command]
pub async fn switch_account(state: State<'_, AppState>, account_id: String) -> CommandResult<()> {
    state.latchkey.switch_account(&account_id).await?;
    state.refresh.notify_one();
    Ok(())
}

/// Signs one account out (the current one: as `sign_out`).
#[tauri::command]
pub async fn sign_out_account(state: State<'_, AppState>, account_id: String) -> CommandResult<()> {
    Ok(state.latchkey.sign_out_account(&account_id).await?)
}

/// The current account's last known eligibilities and activations (cached on disk, no
/// secrets), for the window to paint at once while `list_eligibilities` runs.
#[tauri::command]
pub fn last_known(state: State<'_, AppState>) -> Option<LastKnown> {
    crate::startup::mark("last known asked for");
    let known = state.latchkey.last_known();
    crate::startup::mark("last known read");
    known
}

/// Everything the signed-in user is eligible for, on every plane.
#[tauri::command]
pub async fn list_eligibilities(state: State<'_, AppState>) -> CommandResult<Listing<Eligibility>> {
    crate::startup::mark("eligibilities asked for");
    let listing = state.latchkey.list_eligibilities().await?;
    crate::startup::mark("eligibilities listed");
    Ok(listing)
}

fn current_prompt(state: &AppState) -> CommandResult<DeviceCodePrompt> {
    state.latchkey.current_prompt().ok_or_else(|| {
        AppError::from(Error::new(
            ErrorCode::InvalidInput,
            "No sign-in is under way. Choose Sign in first.",
        ))
    })
}

/// Opens the verification page in the system browser (http and https only).
#[tauri::command]
pub fn open_verification_page(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    let prompt = current_prompt(&state)?;
    open_in_browser(&app, &prompt.verification_uri)
}

/// Opens a sign-in page in the system browser: http and https only, nothing else.
fn open_in_browser(app: &AppHandle, address: &str) -> CommandResult<()> {
    let url = url::Url::parse(address)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            AppError::from(Error::new(
                ErrorCode::UnexpectedResponse,
                "The sign-in page address is not a web address, so Latchkey did not open it.",
            ))
        })?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| {
            AppError::from(Error::new(
                ErrorCode::Internal,
                format!("Couldn't open a browser ({e}). Open {url} yourself to sign in."),
            ))
        })
}

/// Copies the user code to the clipboard.
#[tauri::command]
pub fn copy_user_code(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    let prompt = current_prompt(&state)?;
    app.clipboard().write_text(prompt.user_code).map_err(|e| {
        AppError::from(Error::new(
            ErrorCode::Internal,
            format!("Couldn't copy to the clipboard ({e}). Type the code instead."),
        ))
    })
}

/// What is active now, on every plane.
#[tauri::command]
pub async fn list_activations(state: State<'_, AppState>) -> CommandResult<Listing<Activation>> {
    Ok(state.latchkey.list_activations().await?)
}

/// My requests, newest first.
#[tauri::command]
pub async fn list_requests(state: State<'_, AppState>) -> CommandResult<Listing<PimRequest>> {
    Ok(state.latchkey.list_requests().await?)
}

/// Activates one or many; one outcome per input, in order.
#[tauri::command]
pub async fn activate(
    state: State<'_, AppState>,
    favourites: State<'_, FavouritesState>,
    inputs: Vec<ActivationInput>,
) -> CommandResult<Vec<RequestOutcome>> {
    check_batch(&inputs, "items to activate")?;
    // Remembered as the form remembers it (when sent), for the tray's one-click activation.
    favourites.remember_justifications(&inputs);
    let outcomes = state.latchkey.activate(inputs).await?;
    state.refresh.notify_one();
    Ok(outcomes)
}

/// Ends an activation early.
#[tauri::command]
pub async fn deactivate(
    state: State<'_, AppState>,
    target: Target,
) -> CommandResult<RequestOutcome> {
    let outcome = state.latchkey.deactivate(&target).await?;
    state.refresh.notify_one();
    Ok(outcome)
}

/// Cancels a pending request.
#[tauri::command]
pub async fn cancel_request(
    state: State<'_, AppState>,
    plane: Plane,
    request_id: String,
) -> CommandResult<()> {
    Ok(state.latchkey.cancel_request(plane, &request_id).await?)
}

/// Requests waiting for my decision as an approver.
#[tauri::command]
pub async fn list_approvals(state: State<'_, AppState>) -> CommandResult<Listing<ApprovalItem>> {
    Ok(state.latchkey.list_approvals().await?)
}

/// Approves or denies one or many; one outcome per input, in order.
#[tauri::command]
pub async fn decide(
    state: State<'_, AppState>,
    inputs: Vec<DecisionInput>,
) -> CommandResult<Vec<DecisionOutcome>> {
    check_batch(&inputs, "requests to decide")?;
    let outcomes = state.latchkey.decide(inputs).await?;
    state.refresh.notify_one();
    Ok(outcomes)
}

/// The requester's other recent requests for the same target, for the inbox's detail view.
#[tauri::command]
pub async fn approval_history(
    state: State<'_, AppState>,
    target: Target,
    requester_id: String,
    request_id: String,
) -> CommandResult<RequesterHistory> {
    Ok(state
        .latchkey
        .approval_history(&target, &requester_id, &request_id)
        .await?)
}

/// Finishes activations refused for a stronger sign-in: opens the browser sign-in with the
/// claims PIM asked for, waits for it, and sends the same requests once more.
#[tauri::command]
pub async fn step_up_and_activate(
    app: AppHandle,
    state: State<'_, AppState>,
    inputs: Vec<ActivationInput>,
) -> CommandResult<Vec<RequestOutcome>> {
    check_batch(&inputs, "items to activate")?;
    let open = |url: &str| open_in_browser(&app, url).map_err(|e| Error::new(e.code, e.message));
    let outcomes = state.latchkey.step_up_and_activate(inputs, open).await?;
    state.refresh.notify_one();
    Ok(outcomes)
}

/// Stops a browser step-up under way.
#[tauri::command]
pub fn cancel_step_up(state: State<'_, AppState>) {
    state.latchkey.cancel_step_up();
}
