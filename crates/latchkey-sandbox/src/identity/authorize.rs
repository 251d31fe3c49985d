//! `/{tenant}/oauth2/v2.0/authorize`: the browser sign-in of the authorization-code flow with
//! PKCE, for native apps on a loopback redirect (RFC 8252). `GET` shows the sign-in page; the
//! page posts back to the same URL. Scripts complete it with one `POST` to the authorize URL
//! (same query) with `login_hint=<upn>&decision=approve` (or `decline`); when the claims ask for
//! MFA the answer is the MFA step, completed by posting again with `mfa_challenge` and
//! `mfa_number` read from the page. Success is `302` to `redirect_uri?code=…&state=…`.
//!
//! Where the sandbox is stricter than Entra, to catch a client regression: PKCE is required and
//! only `S256` is accepted (Entra still accepts `plain` and no PKCE for public clients).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::claims::ClaimsRequest;
use super::error::AadError;
use super::mfa::{self, MfaStep};
use super::pages::{account_form, reply};
use super::redirect_uri;
use super::scopes::ScopeRequest;
use super::store::AuthorizationCode;
use super::{check_tenant, find_application, parse_form, Form};
use crate::html::escape;
use crate::state::SandboxState;
use crate::tenant::Application;

/// Authorization codes live 10 minutes, as on Entra.
const CODE_LIFETIME: chrono::Duration = chrono::Duration::minutes(10);

/// A validated authorization request.
struct Authorize {
    app: Application,
    redirect_uri: String,
    state: Option<String>,
    scope: String,
    code_challenge: String,
    claims: ClaimsRequest,
    login_hint: Option<String>,
}

/// Why a request is refused: on the sandbox's own page while the redirect URI cannot be
/// trusted, and back to the app once it can (RFC 6749 §4.1.2.1).
enum Refusal {
    Page(Box<AadError>),
    Redirect(Box<BackToApp>),
}

/// An error sent back to the app's redirect URI.
struct BackToApp {
    redirect_uri: String,
    state: Option<String>,
    error: AadError,
}

impl Refusal {
    fn page(error: AadError) -> Self {
        Self::Page(Box::new(error))
    }

    fn back(redirect_uri: &str, state: Option<&String>, error: AadError) -> Self {
        Self::Redirect(Box::new(BackToApp {
            redirect_uri: redirect_uri.to_owned(),
            state: state.cloned(),
            error,
        }))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Page(e) => {
                let body = format!(
                    r#"<p class="error" role="alert">AADSTS{}: {}</p><p>Sorry, but we're having trouble signing you in.</p>"#,
                    e.aadsts,
                    escape(&e.description)
                );
                reply(StatusCode::BAD_REQUEST, "Sign-in error", "error", &body)
            }
            Refusal::Redirect(back) => redirect(back.location()),
        }
    }
}

impl BackToApp {
    /// The app's redirect URI carrying the error.
    fn location(&self) -> String {
        let description = format!("AADSTS{}: {}", self.error.aadsts, self.error.description);
        let mut params = vec![
            ("error", self.error.error),
            ("error_description", &description),
        ];
        if let Some(state) = &self.state {
            params.push(("state", state));
        }
        location(&self.redirect_uri, &params)
    }
}

/// `redirect_uri` with `params` added to its query.
fn location(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{separator}{query}")
}

/// `302` to `location`.
fn redirect(location: String) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

fn validate(state: &SandboxState, tenant: &str, query: &Form) -> Result<Authorize, Refusal> {
    let now = state.clock.now();
    check_tenant(state, tenant).map_err(Refusal::page)?;
    let app = find_application(state, query).map_err(Refusal::page)?;
    let redirect_uri = query
        .get("redirect_uri")
        .ok_or_else(|| Refusal::page(AadError::missing_parameter(now, "redirect_uri")))?;
    if !redirect_uri::is_registered(&app.redirect_uris, redirect_uri) {
        return Err(Refusal::page(AadError::bad_request(
            now,
            "invalid_request",
            50011,
            format!("The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.", app.client_id),
        )));
    }
    let back = |error: AadError| Refusal::back(redirect_uri, query.get("state"), error);
    match query.get("response_type").map(String::as_str) {
        Some("code") => {}
        None => return Err(back(AadError::missing_parameter(now, "response_type"))),
        Some(other) => {
            return Err(back(AadError::bad_request(
                now,
                "unsupported_response_type",
                700051,
                format!("response_type '{other}' is not enabled for the application."),
            )))
        }
    }
    let scope = query
        .get("scope")
        .ok_or_else(|| back(AadError::missing_parameter(now, "scope")))?;
    ScopeRequest::parse(scope, now).map_err(back)?;
    let code_challenge = pkce_challenge(query, now).map_err(back)?;
    let claims = ClaimsRequest::from_field(query.get("claims"))
        .map_err(|_| back(AadError::malformed_claims(now)))?;
    if query.get("prompt").is_some_and(|p| p == "none") {
        // The sandbox keeps no browser session, so a silent request can never succeed.
        return Err(back(AadError::bad_request(
            now,
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        )));
    }
    Ok(Authorize {
        app,
        redirect_uri: redirect_uri.clone(),
        state: query.get("state").cloned(),
        scope: scope.clone(),
        code_challenge,
        claims,
        login_hint: query.get("login_hint").cloned(),
    })
}

/// The S256 code challenge. Missing PKCE and `plain` are refused with AADSTS90023 (Entra's
/// generic "request isn't valid": it has no code for them because it accepts both).
fn pkce_challenge(query: &Form, now: chrono::DateTime<chrono::Utc>) -> Result<String, AadError> {
    let refuse = |why: &str| AadError::bad_request(now, "invalid_request", 90023, why.to_owned());
    let challenge = query.get("code_challenge").ok_or_else(|| {
        refuse(
            "The sandbox tenant requires PKCE: send code_challenge and code_challenge_method=S256.",
        )
    })?;
    match query.get("code_challenge_method").map(String::as_str) {
        Some("S256") => {}
        // RFC 7636: an absent method means plain.
        Some("plain") | None => {
            return Err(refuse(
                "code_challenge_method 'plain' is not allowed: use S256.",
            ))
        }
        Some(other) => {
            return Err(refuse(&format!(
                "code_challenge_method '{other}' is not supported: use S256."
            )))
        }
    }
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if challenge.len() != 43 || !challenge.chars().all(base64url) {
        return Err(AadError::bad_request(
            now,
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter.",
        ));
    }
    Ok(challenge.clone())
}

fn query_form(query: &Option<String>) -> Form {
    parse_form(&Bytes::from(query.clone().unwrap_or_default()))
}

/// This page's own URL, which its forms post back to.
fn action(tenant: &str, query: &Option<String>) -> String {
    format!(
        "/{tenant}/oauth2/v2.0/authorize?{}",
        query.as_deref().unwrap_or_default()
    )
}

/// `GET /{tenant}/oauth2/v2.0/authorize?…`
pub(super) async fn show(
    State(state): State<Arc<SandboxState>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let request = match validate(&state, &tenant, &query_form(&query)) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let body = account_form(
        &request.app.display_name,
        &state.tenant(),
        &action(&tenant, &query),
        &[],
        request.login_hint.as_deref(),
        None,
    );
    reply(StatusCode::OK, "Sign in", "choose-account", &body)
}

/// `POST /{tenant}/oauth2/v2.0/authorize?…` — the page's (or a script's) answer.
pub(super) async fn submit(
    State(state): State<Arc<SandboxState>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let request = match validate(&state, &tenant, &query_form(&query)) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let form = parse_form(&body);
    let action = action(&tenant, &query);
    let retry = |error: &str| {
        let tenant = state.tenant();
        let body = account_form(
            &request.app.display_name,
            &tenant,
            &action,
            &[],
            request.login_hint.as_deref(),
            Some(error),
        );
        reply(StatusCode::BAD_REQUEST, "Sign in", "error", &body)
    };
    let (Some(hint), Some(decision)) = (form.get("login_hint"), form.get("decision")) else {
        return retry("Pick an account, then choose Continue or Cancel.");
    };
    if decision.eq_ignore_ascii_case("decline") {
        let declined = declined(state.clock.now());
        return Refusal::back(&request.redirect_uri, request.state.as_ref(), declined)
            .into_response();
    }
    if !decision.eq_ignore_ascii_case("approve") {
        return retry("Choose Continue or Cancel.");
    }
    let user = {
        let tenant = state.tenant();
        match tenant.user_by_upn(hint) {
            Some(user) if user.account_enabled => user.clone(),
            Some(_) => return retry(super::pages::ACCOUNT_DISABLED),
            None => return retry(&format!("We couldn't find an account named {hint}.")),
        }
    };
    let mfa = request.claims.needs_mfa();
    if mfa {
        let hidden = [("login_hint", hint.as_str())];
        if let MfaStep::Show(body) = mfa::step(&state, &form, &user, &hidden, &action) {
            return reply(StatusCode::OK, "Approve sign-in", "mfa", &body);
        }
    }
    redirect(issue_code(&state, request, &user.id, mfa))
}

/// Entra's answer to the app when the person cancels the sign-in.
fn declined(now: chrono::DateTime<chrono::Utc>) -> AadError {
    AadError::bad_request(
        now,
        "access_denied",
        65004,
        "User declined to consent to access the app.",
    )
}

/// Issues an authorization code for `user_id`; returns the app's redirect URL carrying it.
fn issue_code(state: &SandboxState, request: Authorize, user_id: &str, mfa: bool) -> String {
    let code = crate::token::opaque(48);
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &request.state {
        params.push(("state", s));
    }
    let location = location(&request.redirect_uri, &params);
    state.identity.authorization_codes().insert(
        code.clone(),
        AuthorizationCode {
            client_id: request.app.client_id,
            redirect_uri: request.redirect_uri,
            scope: request.scope,
            code_challenge: request.code_challenge,
            user_id: user_id.to_owned(),
            mfa,
            claims: request.claims,
            expires_at: state.clock.now() + CODE_LIFETIME,
            redeemed: false,
        },
    );
    location
}

/// How a sign-in completed through the control API ended without the page.
pub(super) enum Completed {
    /// The app's redirect URL: with a code, or with `error` when the request was refused in a
    /// way Entra reports back to the app (or the sign-in was declined).
    Redirect(String),
    /// Refused before the redirect URI could be trusted: Entra would show its error page.
    Refused(AadError),
}

/// Completes the authorization request `query` (for `tenant`) as the person `user_id`, with or
/// without the MFA step, or declines it, as the sign-in page would.
pub(super) fn complete_as(
    state: &SandboxState,
    tenant: &str,
    query: &Form,
    user_id: Option<&str>,
    mfa: Option<bool>,
) -> Completed {
    let request = match validate(state, tenant, query) {
        Ok(request) => request,
        Err(Refusal::Page(error)) => return Completed::Refused(*error),
        Err(Refusal::Redirect(back)) => return Completed::Redirect(back.location()),
    };
    let Some(user_id) = user_id else {
        let back = BackToApp {
            redirect_uri: request.redirect_uri,
            state: request.state,
            error: declined(state.clock.now()),
        };
        return Completed::Redirect(back.location());
    };
    let mfa = mfa.unwrap_or_else(|| request.claims.needs_mfa());
    Completed::Redirect(issue_code(state, request, user_id, mfa))
}
