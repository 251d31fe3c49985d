//! Errors with a code the UI branches on and a sentence that says what to do next.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as a stable code shared with the TypeScript side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "ErrorCode.ts")]
pub enum ErrorCode {
    /// The service could not be reached (DNS, refused connection, reset).
    Network,
    /// The service did not answer in time.
    Timeout,
    /// The device code expired before the user finished signing in.
    SignInCodeExpired,
    /// The user declined the sign-in in the browser.
    SignInDeclined,
    /// The user cancelled sign-in in the app.
    SignInCancelled,
    /// The identity platform refused the sign-in (configuration, policy, account state).
    SignInRejected,
    /// The stored session is no longer valid; sign in again.
    SessionExpired,
    /// No OS keyring is available.
    KeyringUnavailable,
    /// The action needs a signed-in account.
    NotSignedIn,
    /// The service refused for lack of permission or consent.
    Forbidden,
    /// The service is throttling; try later.
    Throttled,
    /// The service answered with an error.
    ServiceError,
    /// The service answered something Latchkey cannot read.
    UnexpectedResponse,
    /// The request itself is invalid (bad user input).
    InvalidInput,
    /// A bug or an unexpected local failure.
    Internal,
    /// PIM refused the request under its policy (duration, justification, ticket, eligibility).
    PolicyRejected,
    /// PIM wants a stronger sign-in (MFA or an authentication context) before it activates.
    StepUpRequired,
    /// It is already active.
    AlreadyActive,
    /// A request for it is already waiting (approval or a later start).
    PendingRequest,
    /// It is not active (any more).
    NotActive,
    /// Deactivation is refused in the first five minutes.
    TooSoonToDeactivate,
    /// Someone else already decided this approval.
    AlreadyDecided,
    /// A write may or may not have reached the service, and reading back could not settle it:
    /// refresh and look before trying again (resending could act twice).
    OutcomeUnknown,
}

/// A failure with a code, a user-facing sentence, and the service's own code when there is one.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// The stable code.
    pub code: ErrorCode,
    /// One or two sentences for a person: what happened and what to do next.
    pub message: String,
    /// The service's code (`AADSTS70019`, `RoleAssignmentExists`, …), for logs and branching.
    pub service_code: Option<String>,
    /// For `StepUpRequired`: the claims to request at sign-in (decoded JSON).
    pub claims_challenge: Option<String>,
    /// The HTTP status the service answered with, when the error is its answer.
    pub http_status: Option<u16>,
}

impl Error {
    /// An error with a code and a sentence.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            service_code: None,
            claims_challenge: None,
            http_status: None,
        }
    }

    /// The service answered 404: what was named is not there for this person (PIM hides
    /// other people's requests and approvals as well as unknown ones).
    pub fn is_not_found(&self) -> bool {
        self.http_status == Some(404)
    }

    /// Attaches the service's own error code.
    pub fn with_service_code(mut self, code: impl Into<String>) -> Self {
        self.service_code = Some(code.into());
        self
    }

    /// A write whose outcome even reconciliation could not establish.
    pub fn outcome_unknown(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::OutcomeUnknown, message)
    }

    /// A local failure that should not happen.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// Classifies a transport failure from reqwest.
    pub fn from_transport(what: &str, error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::new(
                ErrorCode::Timeout,
                format!("{what} did not answer in time. Check your connection and try again."),
            )
        } else if error.is_decode() || error.is_body() {
            Self::new(
                ErrorCode::UnexpectedResponse,
                format!("{what} sent an incomplete answer. Try again."),
            )
        } else {
            Self::new(
                ErrorCode::Network,
                format!("Can't reach {what}. Check your network connection, then try again."),
            )
        }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
