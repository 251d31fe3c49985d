//! The page behind `verification_uri`: a person types the user code, picks a demo account and
//! approves or declines. Scripts can do the same with one form POST
//! (`user_code`, `login_hint`, `decision=approve|decline`). When the client's claims ask for MFA
//! or an authentication context, approving shows an MFA step first (see [`super::mfa`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::mfa::{self, MfaStep};
use super::pages::{account_form, reply};
use crate::html::escape;
use crate::state::{DeviceCode, DeviceCodeStatus, SandboxState};
use chrono::{DateTime, Utc};

fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Why a typed user code cannot be completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodeProblem {
    Unknown,
    Expired,
    Used,
}

impl CodeProblem {
    /// What the page (and the control API) tells the person.
    pub(super) fn message(self) -> &'static str {
        match self {
            CodeProblem::Unknown => {
                "That code wasn't recognised. Check the code in the app and try again."
            }
            CodeProblem::Expired => "That code has expired. Go back to the app and get a new code.",
            CodeProblem::Used => {
                "That code has already been used. Go back to the app and get a new code."
            }
        }
    }
}

/// The device authorization waiting for `typed` (any case, dashes and spaces ignored).
pub(super) fn pending_code<'a>(
    codes: &'a mut HashMap<String, DeviceCode>,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<&'a mut DeviceCode, CodeProblem> {
    let user_code = normalize(typed);
    let entry = codes
        .values_mut()
        .find(|c| !user_code.is_empty() && c.user_code == user_code)
        .ok_or(CodeProblem::Unknown)?;
    if now > entry.expires_at {
        return Err(CodeProblem::Expired);
    }
    if entry.status != DeviceCodeStatus::Pending {
        return Err(CodeProblem::Used);
    }
    Ok(entry)
}

fn code_form(prefill: &str, error: Option<&str>) -> String {
    let error = error.map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, escape(e)));
    format!(
        r#"<p>Enter the code displayed in the app to allow it to sign in.</p>
{}
<form method="post" action="/devicelogin">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" value="{}" autocomplete="off" autofocus required>
<div class="actions"><button type="submit">Next</button></div>
</form>"#,
        error.unwrap_or_default(),
        escape(prefill)
    )
}

fn error_page(message: &str, code: &str) -> Response {
    reply(
        StatusCode::BAD_REQUEST,
        "Enter code",
        "error",
        &code_form(code, Some(message)),
    )
}

/// `GET /devicelogin[?user_code=…]`
pub(super) async fn show(Query(query): Query<HashMap<String, String>>) -> Response {
    let prefill = query
        .get("user_code")
        .map(String::as_str)
        .unwrap_or_default();
    reply(
        StatusCode::OK,
        "Enter code",
        "enter-code",
        &code_form(prefill, None),
    )
}

/// `POST /devicelogin` — the code alone shows the account step; with `login_hint` and
/// `decision` it completes the sign-in.
pub(super) async fn submit(State(state): State<Arc<SandboxState>>, body: Bytes) -> Response {
    let form = super::parse_form(&body);
    let typed = form
        .get("user_code")
        .map(String::as_str)
        .unwrap_or_default();
    let user_code = normalize(typed);
    if user_code.is_empty() {
        return error_page("Enter the code shown in the app.", typed);
    }
    let now = state.clock.now();
    let mut codes = state.device_codes();
    let entry = match pending_code(&mut codes, &user_code, now) {
        Ok(entry) => entry,
        Err(problem) => return error_page(problem.message(), typed),
    };
    let tenant = state.tenant();
    let app_name = tenant
        .application(&entry.client_id)
        .map(|a| a.display_name.clone())
        .unwrap_or_else(|| entry.client_id.clone());
    let (Some(hint), Some(decision)) = (form.get("login_hint"), form.get("decision")) else {
        let hidden = [("user_code", user_code.as_str())];
        let body = account_form(&app_name, &tenant, "/devicelogin", &hidden, None, None);
        return reply(StatusCode::OK, "Pick an account", "choose-account", &body);
    };
    if decision.eq_ignore_ascii_case("decline") {
        entry.status = DeviceCodeStatus::Declined;
        return reply(
            StatusCode::OK,
            "Sign-in declined",
            "declined",
            &format!(
                "<p>You declined to sign in to {}. You can close this window.</p>",
                escape(&app_name)
            ),
        );
    }
    if !decision.eq_ignore_ascii_case("approve") {
        return error_page("Choose Continue or Cancel.", typed);
    }
    let Some(user) = tenant.user_by_upn(hint) else {
        return error_page(
            &format!(
                "We couldn't find an account named {hint} in {}.",
                tenant.info.display_name
            ),
            typed,
        );
    };
    if !user.account_enabled {
        return error_page(super::pages::ACCOUNT_DISABLED, typed);
    }
    let mfa = entry.claims.needs_mfa();
    if mfa {
        let hidden = [
            ("user_code", user_code.as_str()),
            ("login_hint", hint.as_str()),
        ];
        if let MfaStep::Show(body) = mfa::step(&state, &form, user, &hidden, "/devicelogin") {
            return reply(StatusCode::OK, "Approve sign-in", "mfa", &body);
        }
    }
    entry.status = DeviceCodeStatus::Approved {
        user_id: user.id.clone(),
        mfa,
    };
    reply(
        StatusCode::OK,
        "You're signed in",
        "approved",
        &format!(
            "<p>You have signed in to <strong>{}</strong> as {} ({}).</p><p>You can close this window and return to the app.</p>",
            escape(&app_name),
            escape(&user.display_name),
            escape(&user.user_principal_name)
        ),
    )
}
