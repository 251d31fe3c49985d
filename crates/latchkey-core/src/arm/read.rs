//! ARM's PIM lists read into the shared model: my eligibilities (with their policies'
//! requirements, one policy read per scope and role, concurrently), my active assignments and
//! my requests. Names come inline from `expandedProperties`.

use std::collections::HashMap;

use serde_json::Value;

use super::{ArmClient, API_VERSION, PROVIDER};
use crate::error::{Error, ErrorCode, Result};
use crate::graph::policies::requirements_from_rules;
use crate::graph::requests::{text, time};
use crate::model::{
    azure_scope_name, Activation, Eligibility, PimRequest, RequestStatus, Requirements, Target,
};
use crate::policy_cache::PolicyCache;

/// My eligibilities, and the eligibility schedule each target's activation links to.
#[derive(Debug, Default)]
pub struct ArmEligibilities {
    pub items: Vec<Eligibility>,
    /// Target key → `roleEligibilityScheduleId`.
    pub schedules: HashMap<String, String>,
}

/// The target a row is about.
pub(crate) fn target_from(v: &Value) -> Option<Target> {
    Some(Target::AzureRole {
        scope: text(v, "/properties/scope")?,
        role_definition_id: text(v, "/properties/roleDefinitionId")?,
    })
}

/// The role's display name, inline.
pub(crate) fn name_from(v: &Value) -> Option<String> {
    text(
        v,
        "/properties/expandedProperties/roleDefinition/displayName",
    )
}

/// "rg-payments-prod (resource group)", from the inline scope.
pub(crate) fn scope_name_from(v: &Value) -> Option<String> {
    let scope = text(v, "/properties/scope")?;
    Some(azure_scope_name(
        text(v, "/properties/expandedProperties/scope/displayName").as_deref(),
        text(v, "/properties/expandedProperties/scope/type").as_deref(),
        &scope,
    ))
}

/// Minutes of an ISO duration at `pointer`.
pub(crate) fn minutes(v: &Value, pointer: &str) -> Option<u32> {
    text(v, pointer)
        .as_deref()
        .and_then(iso_duration::parse)
        .and_then(|d| u32::try_from(d.num_minutes()).ok())
}

fn eligibility_from(v: &Value) -> Option<(Eligibility, Option<String>)> {
    let target = target_from(v)?;
    let eligibility = Eligibility {
        id: text(v, "/id")?,
        name: name_from(v),
        description: None,
        scope_name: scope_name_from(v),
        target,
        member_type: text(v, "/properties/memberType").unwrap_or_else(|| "Direct".to_owned()),
        start_date_time: time(v, "/properties/startDateTime"),
        end_date_time: time(v, "/properties/endDateTime"),
        requirements: Requirements::unknown(),
    };
    Some((
        eligibility,
        text(v, "/properties/roleEligibilityScheduleId"),
    ))
}

fn activation_from(v: &Value) -> Option<Activation> {
    // Permanent (`Assigned`) assignments are not PIM activations: nothing to count down.
    let kind = text(v, "/properties/assignmentType");
    if kind.is_some_and(|k| !k.eq_ignore_ascii_case("Activated")) {
        return None;
    }
    Some(Activation {
        id: text(v, "/id")?,
        name: name_from(v),
        scope_name: scope_name_from(v),
        target: target_from(v)?,
        start_date_time: time(v, "/properties/startDateTime").unwrap_or_default(),
        end_date_time: time(v, "/properties/endDateTime"),
    })
}

/// A `roleAssignmentScheduleRequest`; its id is the full ARM id (cancel posts to it).
pub(crate) fn request_from(v: &Value) -> Option<PimRequest> {
    Some(PimRequest {
        id: text(v, "/id")?,
        name: name_from(v),
        scope_name: scope_name_from(v),
        target: target_from(v)?,
        action: text(v, "/properties/requestType").unwrap_or_default(),
        status: RequestStatus::parse(&text(v, "/properties/status").unwrap_or_default()),
        created_date_time: time(v, "/properties/createdOn").unwrap_or_default(),
        start_date_time: time(v, "/properties/scheduleInfo/startDateTime"),
        duration_minutes: minutes(v, "/properties/scheduleInfo/expiration/duration"),
        justification: text(v, "/properties/justification"),
        ticket_number: text(v, "/properties/ticketInfo/ticketNumber"),
        decision_reason: None,
    })
}

fn as_target(kind: &str) -> String {
    format!("/{PROVIDER}/{kind}")
}

impl ArmClient {
    /// GETs a tenant-wide list with `filter`, following `nextLink`.
    pub(crate) async fn list(&self, kind: &str, filter: &str) -> Result<Vec<Value>> {
        let url = self.url(&as_target(kind), API_VERSION, Some(filter))?;
        self.rest.get_all(url).await
    }

    /// My eligibilities on every scope, sorted by name, each with its policy's requirements.
    pub async fn my_eligibilities(&self, cache: &PolicyCache) -> Result<ArmEligibilities> {
        let values = self
            .list("roleEligibilityScheduleInstances", "asTarget()")
            .await?;
        let mut found = ArmEligibilities::default();
        for (eligibility, schedule) in values.iter().filter_map(eligibility_from) {
            if let Some(schedule) = schedule {
                found.schedules.insert(eligibility.target.key(), schedule);
            }
            found.items.push(eligibility);
        }
        let mut missing: Vec<Target> = Vec::new();
        for e in &mut found.items {
            match cache.get(&e.target.key()) {
                Some(known) => e.requirements = known,
                None => missing.push(e.target.clone()),
            }
        }
        if !missing.is_empty() {
            let requirements = self.requirements_of(&missing).await;
            for e in &mut found.items {
                if let Some(known) = requirements.get(&e.target.key()) {
                    e.requirements = known.clone();
                    cache.put(e.target.key(), known);
                }
            }
        }
        found.items.sort_by_cached_key(|e| {
            (
                e.name.clone().unwrap_or_default().to_lowercase(),
                e.scope_name.clone().unwrap_or_default().to_lowercase(),
                e.id.clone(),
            )
        });
        Ok(found)
    }

    /// The requirements of each distinct (scope, role), read concurrently (ARM has no batch);
    /// a policy that cannot be read is left out (unknown).
    pub async fn requirements_of(&self, targets: &[Target]) -> HashMap<String, Requirements> {
        let mut distinct: HashMap<String, Target> = HashMap::new();
        for t in targets {
            distinct.entry(t.key()).or_insert_with(|| t.clone());
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (key, target) in distinct {
            let client = self.clone();
            tasks.spawn(async move { (key, client.policy(&target).await) });
        }
        let mut known = HashMap::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((key, Ok(requirements))) => {
                    known.insert(key, requirements);
                }
                Ok((key, Err(e))) => {
                    tracing::info!(%key, code = ?e.code, "Azure policy unreadable; requirements unknown")
                }
                Err(e) => tracing::warn!(error = %e, "policy task failed"),
            }
        }
        known
    }

    async fn policy(&self, target: &Target) -> Result<Requirements> {
        let Target::AzureRole {
            scope,
            role_definition_id,
        } = target
        else {
            return Err(Error::internal("not an Azure role"));
        };
        let filter = format!(
            "roleDefinitionId eq '{}'",
            role_definition_id.replace('\'', "''")
        );
        let path = format!("{scope}/{PROVIDER}/roleManagementPolicyAssignments");
        let url = self.url(&path, API_VERSION, Some(&filter))?;
        let assignments: Vec<Value> = self.rest.get_all(url).await?;
        let rules = assignments
            .first()
            .and_then(|a| a.pointer("/properties/effectiveRules"))
            .and_then(Value::as_array)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::UnexpectedResponse,
                    "Azure Resource Manager sent no policy for this role.",
                )
            })?;
        Ok(requirements_from_rules(rules))
    }

    /// What is active for me now, ending soonest first.
    pub async fn my_activations(&self) -> Result<Vec<Activation>> {
        let values = self
            .list("roleAssignmentScheduleInstances", "asTarget()")
            .await?;
        let mut list: Vec<Activation> = values.iter().filter_map(activation_from).collect();
        list.sort_by(|a, b| a.end_date_time.cmp(&b.end_date_time).then(a.id.cmp(&b.id)));
        Ok(list)
    }

    /// My requests, newest first.
    pub async fn my_requests(&self) -> Result<Vec<PimRequest>> {
        let values = self
            .list("roleAssignmentScheduleRequests", "asRequestor()")
            .await?;
        let mut list: Vec<PimRequest> = values.iter().filter_map(request_from).collect();
        list.sort_by(|a, b| b.created_date_time.cmp(&a.created_date_time));
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_instance_shape() {
        let v: Value = serde_json::from_str(
            r#"{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/i",
                "name":"i","properties":{"scope":"/subscriptions/s/resourceGroups/rg",
                "roleDefinitionId":"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
                "principalId":"g","principalType":"Group","memberType":"Group",
                "roleEligibilityScheduleId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleEligibilitySchedules/i",
                "startDateTime":"2020-09-09T21:35:27.91Z","endDateTime":null,
                "expandedProperties":{"scope":{"id":"/subscriptions/s/resourceGroups/rg","displayName":"rg","type":"resourcegroup"},
                  "roleDefinition":{"displayName":"Contributor"}}}}"#,
        )
        .unwrap();
        let (e, schedule) = eligibility_from(&v).unwrap();
        assert_eq!(e.name.as_deref(), Some("Contributor"));
        assert_eq!(e.scope_name.as_deref(), Some("rg (resource group)"));
        assert_eq!(e.member_type, "Group");
        assert_eq!(e.end_date_time, None);
        assert!(schedule.unwrap().ends_with("/roleEligibilitySchedules/i"));
        assert!(eligibility_from(&serde_json::json!({"id":"x","properties":{}})).is_none());
    }
}
