//! What an approver can read about a requester's past: their other requests for the same
//! target, from the approver's own request list (`filterByCurrentUser(on='approver')` with
//! `$filter` on the principal and the target, reference §2.1 and §3), and the reason an
//! approver gave for a decision, from the approval's stages (§4.2).

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use super::requests::request_from;
use super::GraphClient;
use crate::error::{Error, ErrorCode, Result};
use crate::model::{PimRequest, Plane, RequestStatus, Target};

/// How many earlier requests the detail view shows.
pub const HISTORY_LIMIT: usize = 10;

/// A value that may go inside a `$filter` literal: the characters of ids and directory scopes,
/// never a quote.
fn filter_literal(value: &str) -> Result<&str> {
    let ok = !value.is_empty()
        && value.len() <= 200
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '_' | '.'));
    if ok {
        Ok(value)
    } else {
        Err(Error::new(ErrorCode::InvalidInput, "That is not an id."))
    }
}

/// The approver-list query for `requester`'s requests for `target`.
fn history_path(target: &Target, requester: &str) -> Result<String> {
    let pid = filter_literal(requester)?;
    let (collection, filter, expand) = match target {
        Target::Group { group_id, .. } => (
            "identityGovernance/privilegedAccess/group/assignmentScheduleRequests",
            format!("groupId eq '{}'", filter_literal(group_id)?),
            "group($select=id,displayName)",
        ),
        Target::DirectoryRole {
            role_definition_id,
            directory_scope_id,
        } => (
            "roleManagement/directory/roleAssignmentScheduleRequests",
            format!(
                "roleDefinitionId eq '{}' and directoryScopeId eq '{}'",
                filter_literal(role_definition_id)?,
                filter_literal(directory_scope_id)?
            ),
            "roleDefinition($select=id,displayName)",
        ),
        Target::AzureRole { .. } => {
            return Err(Error::internal(
                "Azure roles are served by Azure Resource Manager, not Microsoft Graph",
            ))
        }
    };
    Ok(format!(
        "{collection}/filterByCurrentUser(on='approver')?$filter=principalId eq '{pid}' and {filter}&$expand={expand}"
    ))
}

/// Reasons already read, by approval id (`None`: decided without one).
#[derive(Debug, Default)]
pub struct DecisionReasons(Mutex<HashMap<String, Option<String>>>);

impl DecisionReasons {
    fn get(&self, approval_id: &str) -> Option<Option<String>> {
        let map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&approval_id.to_ascii_lowercase()).cloned()
    }

    fn insert(&self, approval_id: &str, reason: Option<String>) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded: a long-running app reads a few hundred decided requests at most.
        if map.len() > 2_000 {
            map.clear();
        }
        map.insert(approval_id.to_ascii_lowercase(), reason);
    }
}

/// The justification of the decided stage in an approval, if the approver gave one.
pub(crate) fn decision_reason(stages: &[Value]) -> Option<String> {
    stages
        .iter()
        .filter(|s| {
            s["reviewResult"]
                .as_str()
                .is_some_and(|r| !r.eq_ignore_ascii_case("NotReviewed"))
        })
        .filter_map(|s| s["justification"].as_str())
        .map(str::trim)
        .find(|j| !j.is_empty())
        .map(str::to_owned)
}

impl GraphClient {
    /// `requester`'s other requests for `target` that I, as an approver, can read (those that
    /// came to me for approval), newest first, without `except` (the one in front of me).
    pub async fn requester_history(
        &self,
        target: &Target,
        requester: &str,
        except: &str,
    ) -> Result<Vec<PimRequest>> {
        let plane = target.plane();
        let mut values: Vec<Value> = self.get_all(&history_path(target, requester)?).await?;
        if plane == Plane::Group {
            self.fill_group_names(&mut values).await;
        }
        let mut list: Vec<PimRequest> = values
            .iter()
            // A service that ignored part of `$filter` must not show someone else's requests.
            .filter(|v| {
                v["principalId"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(requester))
            })
            .filter_map(|v| request_from(plane, v))
            .filter(|r| r.target.key() == target.key() && !r.id.eq_ignore_ascii_case(except))
            .collect();
        list.sort_by(|a, b| b.created_date_time.cmp(&a.created_date_time));
        list.truncate(HISTORY_LIMIT);
        for request in &mut list {
            if request.status == RequestStatus::Denied {
                request.decision_reason = self.decision_reason_of(plane, &request.id).await;
            }
        }
        Ok(list)
    }

    /// Why a decided request was decided so, from its approval's stages; `None` when the
    /// approver gave no reason or the approval cannot be read (the status still says it all).
    /// A decided approval never changes, so each reason is read once per run.
    pub(crate) async fn decision_reason_of(
        &self,
        plane: Plane,
        approval_id: &str,
    ) -> Option<String> {
        super::check_id(approval_id, "an approval id").ok()?;
        if let Some(known) = self.reasons.get(approval_id) {
            return known;
        }
        match self.stages(plane, approval_id).await {
            Ok(stages) => {
                let reason = decision_reason(&stages);
                self.reasons.insert(approval_id, reason.clone());
                reason
            }
            Err(e) => {
                tracing::debug!(code = ?e.code, ?plane, "could not read a decided approval");
                // A refusal (a tenant that lets requesters not read approvals) stays a refusal:
                // remembered, so the watcher's polls do not ask again. A passing failure is not.
                let passing = matches!(
                    e.code,
                    ErrorCode::Network
                        | ErrorCode::Timeout
                        | ErrorCode::Throttled
                        | ErrorCode::ServiceError
                        | ErrorCode::SessionExpired
                        | ErrorCode::NotSignedIn
                );
                if !passing {
                    self.reasons.insert(approval_id, None);
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GroupAccess;
    use serde_json::json;

    #[test]
    fn the_query_names_the_requester_and_the_target_and_refuses_quotes() {
        let group = Target::Group {
            group_id: "9f474d24-eef8".into(),
            access: GroupAccess::Member,
        };
        let path = history_path(&group, "8593dd9e").unwrap();
        assert!(
            path.contains("filterByCurrentUser(on='approver')"),
            "{path}"
        );
        assert!(
            path.contains("principalId eq '8593dd9e' and groupId eq '9f474d24-eef8'"),
            "{path}"
        );
        let role = Target::DirectoryRole {
            role_definition_id: "29232cdf".into(),
            directory_scope_id: "/administrativeUnits/4f4b".into(),
        };
        let path = history_path(&role, "8593dd9e").unwrap();
        assert!(
            path.contains("directoryScopeId eq '/administrativeUnits/4f4b'"),
            "{path}"
        );
        let err = history_path(&group, "x' or principalId ne 'y").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn a_decision_reason_is_the_reviewed_stage_justification() {
        let stages = vec![
            json!({"id":"a","reviewResult":"NotReviewed","justification":""}),
            json!({"id":"b","reviewResult":"Deny","justification":" Not during the freeze "}),
        ];
        assert_eq!(
            decision_reason(&stages).as_deref(),
            Some("Not during the freeze")
        );
        assert_eq!(decision_reason(&stages[..1]), None);
        assert_eq!(
            decision_reason(&[json!({"reviewResult":"Approved","justification":""})]),
            None
        );
    }
}
