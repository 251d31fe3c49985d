//! PIM's refusals (Graph and ARM use the same codes) as typed errors with a sentence that says
//! what to do next.

use crate::auth::StepUpClaims;
use crate::error::{Error, ErrorCode};

/// Maps a PIM error `code` and `message`; `None` when the code is not a PIM one.
pub fn classify(code: &str, message: &str, whole_body: &str) -> Option<Error> {
    // The acrs failure also arrives double-wrapped inside an "UnknownError": look at the body.
    if code.contains("AcrsValidationFailed") || whole_body.contains("AcrsValidationFailed") {
        let claims = StepUpClaims::from_pim_error_body(whole_body).map(|c| c.to_json());
        let mut error = Error::new(
            ErrorCode::StepUpRequired,
            "This needs a stronger sign-in (your organisation's authentication context). Sign in again when asked, then Latchkey resends the request.",
        )
        .with_service_code("RoleAssignmentRequestAcrsValidationFailed");
        error.claims_challenge = claims;
        return Some(error);
    }
    let (code_kind, sentence) = match code {
        "RoleAssignmentRequestPolicyValidationFailed" => {
            let rules = failed_rules(message);
            if rules.iter().any(|r| r == "MfaRule") {
                let mut error = Error::new(
                    ErrorCode::StepUpRequired,
                    "This needs multi-factor authentication. Sign in again with MFA when asked, then Latchkey resends the request.",
                )
                .with_service_code(code);
                error.claims_challenge = Some(StepUpClaims::mfa().to_json());
                return Some(error);
            }
            (ErrorCode::PolicyRejected, policy_sentence(&rules))
        }
        "RoleAssignmentExists" => (ErrorCode::AlreadyActive, "It is already active.".to_owned()),
        "PendingRoleAssignmentRequest" => (
            ErrorCode::PendingRequest,
            "A request for this is already waiting for approval or its start time. Cancel it first to ask again.".to_owned(),
        ),
        "RoleAssignmentDoesNotExist" => (
            ErrorCode::NotActive,
            "It is not active any more. Refresh to see the current state.".to_owned(),
        ),
        "ActiveDurationTooShort" => (
            ErrorCode::TooSoonToDeactivate,
            "It can be deactivated 5 minutes after it started. Try again then.".to_owned(),
        ),
        "RoleAssignmentApprovalRequired" => (
            ErrorCode::PolicyRejected,
            "This needs an approver's decision; the service did not accept the request for approval.".to_owned(),
        ),
        _ => return None,
    };
    Some(Error::new(code_kind, sentence).with_service_code(code))
}

/// The rules in `The following policy rules failed: ["JustificationRule","TicketingRule"]`.
pub fn failed_rules(message: &str) -> Vec<String> {
    let Some(start) = message.find('[') else {
        return Vec::new();
    };
    let Some(end) = message[start..].find(']') else {
        return Vec::new();
    };
    serde_json::from_str(&message[start..start + end + 1]).unwrap_or_default()
}

fn policy_sentence(rules: &[String]) -> String {
    let reasons: Vec<&str> = rules
        .iter()
        .map(|rule| match rule.as_str() {
            "ExpirationRule" => "the duration is missing or longer than the policy allows",
            "JustificationRule" => "a justification is required",
            "TicketingRule" => "a ticket number is required",
            "EligibilityRule" => "you are not (or no longer) eligible for it",
            "ApprovalRule" => "the approval settings refused it",
            "AcrsRule" => "a stronger sign-in (authentication context) is required",
            _ => "a policy rule failed",
        })
        .collect();
    if reasons.is_empty() {
        "The PIM policy refused the request. Check the duration, justification and ticket."
            .to_owned()
    } else {
        let mut sentence = reasons.join("; ");
        sentence[..1].make_ascii_uppercase();
        format!("{sentence}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_failures_become_sentences_and_mfa_a_step_up() {
        let m = r#"The following policy rules failed: ["ExpirationRule","JustificationRule","TicketingRule"]"#;
        let e = classify("RoleAssignmentRequestPolicyValidationFailed", m, "").unwrap();
        assert_eq!(e.code, ErrorCode::PolicyRejected);
        assert_eq!(
            e.message,
            "The duration is missing or longer than the policy allows; a justification is required; a ticket number is required."
        );
        let e = classify(
            "RoleAssignmentRequestPolicyValidationFailed",
            r#"The following policy rules failed: ["MfaRule"]"#,
            "",
        )
        .unwrap();
        assert_eq!(e.code, ErrorCode::StepUpRequired);
        assert_eq!(
            e.claims_challenge.as_deref(),
            Some(r#"{"access_token":{"amr":{"values":["mfa"]}}}"#)
        );
    }

    #[test]
    fn acrs_claims_are_found_in_both_observed_shapes() {
        let plain = r#"{"error":{"code":"RoleAssignmentRequestAcrsValidationFailed","message":"&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D"}}"#;
        let wrapped = r#"{"error":{"code":"UnknownError","message":"{\"errorCode\":\"RoleAssignmentRequestAcrsValidationFailed\",\"message\":\"&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D\"}"}}"#;
        for (code, body) in [
            ("RoleAssignmentRequestAcrsValidationFailed", plain),
            ("UnknownError", wrapped),
        ] {
            let e = classify(code, "", body).unwrap();
            assert_eq!(e.code, ErrorCode::StepUpRequired);
            assert_eq!(
                e.claims_challenge.as_deref(),
                Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#)
            );
        }
    }

    #[test]
    fn other_pim_codes_and_unknown_ones() {
        assert_eq!(
            classify("RoleAssignmentExists", "", "").unwrap().code,
            ErrorCode::AlreadyActive
        );
        assert_eq!(
            classify("ActiveDurationTooShort", "", "").unwrap().code,
            ErrorCode::TooSoonToDeactivate
        );
        assert_eq!(
            classify("RoleAssignmentDoesNotExist", "", "").unwrap().code,
            ErrorCode::NotActive
        );
        assert!(classify("Request_BadRequest", "x", "").is_none());
        assert!(failed_rules("no list here").is_empty());
    }
}
