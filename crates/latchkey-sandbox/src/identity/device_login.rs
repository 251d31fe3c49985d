//! The page behind `verification_uri`: a person types the user code, picks a demo account and
//! approves or declines. Scripts can do the same with one form POST
//! (`user_code`, `login_hint`, `decision=approve|decline`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::html::{escape, page};
use crate::state::{DeviceCodeStatus, SandboxState};

fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
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

fn reply(status: StatusCode, title: &str, outcome: &str, body: &str) -> Response {
    (status, Html(page(title, outcome, body))).into_response()
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
    let form: HashMap<String, String> =
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .unwrap_or_default()
            .into_iter()
            .collect();
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
    let Some(entry) = codes.values_mut().find(|c| c.user_code == user_code) else {
        return error_page(
            "That code wasn't recognised. Check the code in the app and try again.",
            typed,
        );
    };
    if now > entry.expires_at {
        return error_page(
            "That code has expired. Go back to the app and get a new code.",
            typed,
        );
    }
    if entry.status != DeviceCodeStatus::Pending {
        return error_page(
            "That code has already been used. Go back to the app and get a new code.",
            typed,
        );
    }
    let tenant = state.tenant();
    let app_name = tenant
        .application(&entry.client_id)
        .map(|a| a.display_name.clone())
        .unwrap_or_else(|| entry.client_id.clone());
    let (Some(hint), Some(decision)) = (form.get("login_hint"), form.get("decision")) else {
        let options: String = tenant
            .users
            .iter()
            .filter(|u| u.account_enabled)
            .map(|u| {
                format!(
                    r#"<option value="{}">{} — {}</option>"#,
                    escape(&u.user_principal_name),
                    escape(&u.display_name),
                    escape(u.job_title.as_deref().unwrap_or(&u.user_principal_name))
                )
            })
            .collect();
        let body = format!(
            r#"<p><strong>{app}</strong> wants to sign you in to <strong>{tenant}</strong>.</p>
<form method="post" action="/devicelogin">
<input type="hidden" name="user_code" value="{code}">
<label for="login_hint">Sign in as</label>
<select id="login_hint" name="login_hint">{options}</select>
<p class="note">This is the sandbox tenant: pick any demo person, no password needed.</p>
<div class="actions">
<button type="submit" name="decision" value="approve">Continue</button>
<button type="submit" name="decision" value="decline">Cancel</button>
</div></form>"#,
            app = escape(&app_name),
            tenant = escape(&tenant.info.display_name),
            code = escape(&user_code),
        );
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
        return error_page(
            "Your account has been locked. Contact your administrator.",
            typed,
        );
    }
    entry.status = DeviceCodeStatus::Approved {
        user_id: user.id.clone(),
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
