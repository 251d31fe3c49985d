//! What the engine refuses, with the stable code Graph and ARM report it under, and a count of
//! refusals per code for the request log (they never become requests, so nothing else shows them).

use std::collections::BTreeMap;

/// A refused request, as PIM reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PimError {
    /// `RoleAssignmentRequestPolicyValidationFailed` with the failed rules.
    PolicyValidationFailed(Vec<&'static str>),
    /// `RoleAssignmentRequestAcrsValidationFailed`; the claims challenge to satisfy.
    AcrsValidationFailed {
        claim_value: String,
    },
    RoleAssignmentExists,
    PendingRoleAssignmentRequest,
    RoleAssignmentDoesNotExist,
    ActiveDurationTooShort,
    /// `selfExtend` / `selfRenew` outside their window (extend: a time-bound eligibility within
    /// 14 days of its end; renew: one that has ended). The reference documents no code of its
    /// own for this; ARM's `InvalidRoleAssignmentRequestSchedule` ("bad schedule") is the
    /// nearest documented one.
    OutsideExtensionWindow(String),
    /// A malformed or unsupported request (Graph `BadRequest`).
    BadRequest(String),
    NotFound,
    /// Not allowed for this caller.
    Forbidden(String),
    /// Already decided or no longer pending.
    Conflict(String),
}

impl PimError {
    /// The `error.code` Graph answers with (ARM renames some 403/404s on its side).
    pub fn code(&self) -> &'static str {
        match self {
            PimError::PolicyValidationFailed(_) => "RoleAssignmentRequestPolicyValidationFailed",
            PimError::AcrsValidationFailed { .. } => "RoleAssignmentRequestAcrsValidationFailed",
            PimError::RoleAssignmentExists => "RoleAssignmentExists",
            PimError::PendingRoleAssignmentRequest => "PendingRoleAssignmentRequest",
            PimError::RoleAssignmentDoesNotExist => "RoleAssignmentDoesNotExist",
            PimError::ActiveDurationTooShort => "ActiveDurationTooShort",
            PimError::OutsideExtensionWindow(_) => "InvalidRoleAssignmentRequestSchedule",
            PimError::BadRequest(_) => "BadRequest",
            PimError::NotFound => "ResourceNotFound",
            PimError::Forbidden(_) => "AccessDenied",
            PimError::Conflict(_) => "Conflict",
        }
    }
}

/// Submissions refused before anything was recorded, per error code and per failed policy rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refusals {
    pub by_code: BTreeMap<&'static str, u64>,
    pub by_rule: BTreeMap<&'static str, u64>,
}

impl Refusals {
    /// Counts one refusal.
    pub fn count(&mut self, error: &PimError) {
        *self.by_code.entry(error.code()).or_default() += 1;
        if let PimError::PolicyValidationFailed(rules) = error {
            for rule in rules {
                *self.by_rule.entry(rule).or_default() += 1;
            }
        }
    }

    /// How many submissions were refused in all.
    pub fn total(&self) -> u64 {
        self.by_code.values().sum()
    }
}
