//! Pieces the two sign-in pages (device login and `/authorize`) share.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::html::{escape, page};
use crate::tenant::Tenant;

/// What both sign-in pages tell a person whose account is disabled (a leaver); the code is
/// Entra's, so someone reading a bug report can tell it from a mistyped name.
pub const ACCOUNT_DISABLED: &str =
    "Your account has been disabled, so you can't sign in. Contact your administrator. (AADSTS50057: The user account is disabled.)";

/// An HTML page with a status; `outcome` becomes `data-outcome` for scripts.
pub fn reply(status: StatusCode, title: &str, outcome: &str, body: &str) -> Response {
    (status, Html(page(title, outcome, body))).into_response()
}

/// `<option>`s for every enabled demo person, `selected` (a UPN) preselected.
pub fn account_options(tenant: &Tenant, selected: Option<&str>) -> String {
    tenant
        .users
        .iter()
        .filter(|u| u.account_enabled)
        .map(|u| {
            let chosen = selected.is_some_and(|s| s.eq_ignore_ascii_case(&u.user_principal_name));
            format!(
                r#"<option value="{}"{}>{} — {}</option>"#,
                escape(&u.user_principal_name),
                if chosen { " selected" } else { "" },
                escape(&u.display_name),
                escape(u.job_title.as_deref().unwrap_or(&u.user_principal_name))
            )
        })
        .collect()
}

/// The "pick a person, Continue or Cancel" form. `hidden` fields are re-posted with it.
pub fn account_form(
    app: &str,
    tenant: &Tenant,
    action: &str,
    hidden: &[(&str, &str)],
    selected: Option<&str>,
    error: Option<&str>,
) -> String {
    let hidden: String = hidden
        .iter()
        .map(|(name, value)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape(name),
                escape(value)
            )
        })
        .collect();
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, escape(e)))
        .unwrap_or_default();
    format!(
        r#"<p><strong>{app}</strong> wants to sign you in to <strong>{tenant}</strong>.</p>
{error}
<form method="post" action="{action}">
{hidden}
<label for="login_hint">Sign in as</label>
<select id="login_hint" name="login_hint">{options}</select>
<p class="note">This is the sandbox tenant: pick any demo person, no password needed.</p>
<div class="actions">
<button type="submit" name="decision" value="approve">Continue</button>
<button type="submit" name="decision" value="decline">Cancel</button>
</div></form>"#,
        app = escape(app),
        tenant = escape(&tenant.info.display_name),
        action = escape(action),
        options = account_options(tenant, selected),
    )
}
