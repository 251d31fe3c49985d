//! The identity side of the control API (under `/_sandbox/`): sign a person in without the
//! pages (complete or decline a device code, answer an authorization request), make device-code
//! polling answer `slow_down`, and revoke a person's refresh tokens as an administrator's
//! "Revoke sessions" does.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::authorize::{self, Completed};
use super::device_login::{pending_code, CodeProblem};
use super::pages::ACCOUNT_DISABLED;
use crate::state::{DeviceCodeStatus, SandboxState};

/// A control-API refusal: `status` with `{"error": message}`.
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// A refusal to return at once (boxed: a response is large next to what succeeds).
type Refused = Box<Response>;

/// Parses a JSON control body, with a readable 400 naming the expected shape.
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8], shape: &str) -> Result<T, Refused> {
    serde_json::from_slice(bytes).map_err(|e| {
        Box::new(refuse(
            StatusCode::BAD_REQUEST,
            format!("expected a JSON body like {shape}: {e}"),
        ))
    })
}

/// The enabled person a control call signs in, by UPN or object id.
fn signing_in(state: &SandboxState, who: &str) -> Result<String, Refused> {
    match state.tenant().user_by_upn_or_id(who) {
        Some(user) if user.account_enabled => Ok(user.id.clone()),
        Some(_) => Err(Box::new(refuse(StatusCode::FORBIDDEN, ACCOUNT_DISABLED))),
        None => Err(Box::new(crate::control::no_such_user(who))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompleteDeviceCode {
    /// UPN or object id.
    user: String,
    /// Whether the person completes the MFA step; by default, exactly when the claims ask for it.
    mfa: Option<bool>,
}

/// `POST /_sandbox/device-codes/{user_code}/complete {"user": "ada@…", "mfa": true}`: the
/// person approves the sign-in as on the device-login page; the next poll gets the tokens.
pub(super) async fn complete_device_code(
    State(state): State<Arc<SandboxState>>,
    Path(user_code): Path<String>,
    bytes: axum::body::Bytes,
) -> Response {
    let request: CompleteDeviceCode =
        match body(&bytes, r#"{"user": "ada@fabrikam.example", "mfa": true}"#) {
            Ok(request) => request,
            Err(refused) => return *refused,
        };
    let user_id = match signing_in(&state, &request.user) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    decide(&state, &user_code, |claims_need_mfa| {
        let mfa = request.mfa.unwrap_or(claims_need_mfa);
        DeviceCodeStatus::Approved {
            user_id: user_id.clone(),
            mfa,
        }
    })
}

/// `POST /_sandbox/device-codes/{user_code}/decline`: the person cancels; the next poll gets
/// `authorization_declined`.
pub(super) async fn decline_device_code(
    State(state): State<Arc<SandboxState>>,
    Path(user_code): Path<String>,
) -> Response {
    decide(&state, &user_code, |_| DeviceCodeStatus::Declined)
}

/// Sets the status of the pending device code `user_code` to what `decision` makes of it.
fn decide(
    state: &SandboxState,
    user_code: &str,
    decision: impl FnOnce(bool) -> DeviceCodeStatus,
) -> Response {
    let now = state.clock.now();
    let mut codes = state.device_codes();
    let entry = match pending_code(&mut codes, user_code, now) {
        Ok(entry) => entry,
        Err(problem) => {
            let status = match problem {
                CodeProblem::Unknown => StatusCode::NOT_FOUND,
                CodeProblem::Expired => StatusCode::GONE,
                CodeProblem::Used => StatusCode::CONFLICT,
            };
            return refuse(
                status,
                format!("device code '{user_code}': {}", problem.message()),
            );
        }
    };
    entry.status = decision(entry.claims.needs_mfa());
    let answer = match &entry.status {
        DeviceCodeStatus::Approved { user_id, mfa } => {
            json!({ "userCode": entry.user_code, "status": "approved", "userId": user_id, "mfa": mfa })
        }
        _ => json!({ "userCode": entry.user_code, "status": "declined" }),
    };
    Json(answer).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeAs {
    /// The authorize URL the app opened (absolute, or its path and query).
    url: String,
    /// UPN or object id; required unless `decision` is `decline`.
    user: Option<String>,
    /// As for device codes.
    mfa: Option<bool>,
    /// `approve` (the default) or `decline`.
    decision: Option<String>,
}

/// `POST /_sandbox/authorize-as {"url": "<authorize URL>", "user": "ada@…"}`: answers the
/// authorization request as the sign-in page would and returns `{"location": …}`, the URL the
/// browser would be redirected to (the app's redirect URI with `code` and `state`, or `error`).
pub(super) async fn authorize_as(
    State(state): State<Arc<SandboxState>>,
    bytes: axum::body::Bytes,
) -> Response {
    let request: AuthorizeAs = match body(
        &bytes,
        r#"{"url": "http://…/organizations/oauth2/v2.0/authorize?…", "user": "ada@fabrikam.example"}"#,
    ) {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    let Some((tenant, query)) = authorize_target(&request.url) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "'{}' is not an authorize URL (/{{tenant}}/oauth2/v2.0/authorize?…)",
                request.url
            ),
        );
    };
    let decline = match request.decision.as_deref() {
        None => false,
        Some(d) if d.eq_ignore_ascii_case("approve") => false,
        Some(d) if d.eq_ignore_ascii_case("decline") => true,
        Some(other) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("decision '{other}': expected approve or decline"),
            )
        }
    };
    let user_id = match (decline, &request.user) {
        (true, _) => None,
        (false, Some(who)) => match signing_in(&state, who) {
            Ok(id) => Some(id),
            Err(refused) => return *refused,
        },
        (false, None) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "name the person signing in: \"user\": upn or object id",
            )
        }
    };
    let query = super::parse_form(&axum::body::Bytes::from(query.to_owned()));
    match authorize::complete_as(&state, tenant, &query, user_id.as_deref(), request.mfa) {
        Completed::Redirect(location) => Json(json!({ "location": location })).into_response(),
        Completed::Refused(e) => refuse(
            StatusCode::BAD_REQUEST,
            format!("AADSTS{}: {}", e.aadsts, e.description),
        ),
    }
}

/// The tenant segment and the query of an authorize URL.
fn authorize_target(url: &str) -> Option<(&str, &str)> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_and_query = if url.contains("://") {
        &after_scheme[after_scheme.find('/')?..]
    } else {
        after_scheme
    };
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut segments = path.trim_start_matches('/').split('/');
    let tenant = segments.next().filter(|t| !t.is_empty())?;
    let rest: Vec<&str> = segments.collect();
    (rest == ["oauth2", "v2.0", "authorize"]).then_some((tenant, query))
}

#[derive(Deserialize)]
struct SlowDown {
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// `POST /_sandbox/identity/slow-down {"count": N}`: the next N device-code polls answer
/// `slow_down` (an empty body means 1).
pub(super) async fn slow_down(
    State(state): State<Arc<SandboxState>>,
    body: axum::body::Bytes,
) -> Response {
    let parsed = if body.is_empty() {
        Ok(SlowDown { count: 1 })
    } else {
        serde_json::from_slice::<SlowDown>(&body)
    };
    match parsed {
        Ok(SlowDown { count }) => {
            state.identity.add_slow_downs(count);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("expected a JSON body like {{\"count\": 1}}: {e}") })),
        )
            .into_response(),
    }
}

/// `POST /_sandbox/users/{upn-or-id}/revoke-sessions`: every refresh token of the person stops
/// working; the next refresh answers `invalid_grant` AADSTS50173.
pub(super) async fn revoke_sessions(
    State(state): State<Arc<SandboxState>>,
    Path(who): Path<String>,
) -> Response {
    let user_id = state.tenant().user_by_upn_or_id(&who).map(|u| u.id.clone());
    match user_id {
        Some(id) => {
            let revoked = state.revoke_refresh_tokens(&id);
            Json(json!({ "userId": id, "revokedRefreshTokens": revoked })).into_response()
        }
        None => crate::control::no_such_user(&who),
    }
}
