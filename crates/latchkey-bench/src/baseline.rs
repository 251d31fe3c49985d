//! The baseline, for comparison only: the same refresh as a straightforward script does it —
//! plain reqwest, one Graph call after another, every list followed page by page, then every
//! policy read one by one. No batching, no concurrency; nothing here is Latchkey's code.

use std::collections::BTreeSet;
use std::time::Instant;

use serde_json::Value;

use crate::report::Sample;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Pages followed per list before the script gives up (a bound on a runaway server).
const MAX_PAGES: usize = 1000;

const GROUP: &str = "identityGovernance/privilegedAccess/group";
const ROLE: &str = "roleManagement/directory";

/// The lists a dashboard shows, both planes: eligible, active, my requests, my approvals.
fn lists() -> [String; 8] {
    [
        format!("{GROUP}/eligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=group"),
        format!("{ROLE}/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=roleDefinition,directoryScope"),
        format!("{GROUP}/assignmentScheduleInstances/filterByCurrentUser(on='principal')?$expand=group"),
        format!("{ROLE}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')?$filter=assignmentType eq 'Activated'&$expand=roleDefinition"),
        format!("{GROUP}/assignmentScheduleRequests/filterByCurrentUser(on='principal')?$expand=group"),
        format!("{ROLE}/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')?$expand=roleDefinition"),
        format!("{GROUP}/assignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=principal,group"),
        format!("{ROLE}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=principal,roleDefinition"),
    ]
}

struct Script<'a> {
    http: reqwest::Client,
    graph: String,
    token: &'a str,
    round_trips: u64,
}

impl Script<'_> {
    async fn get(&mut self, url: &str) -> Result<Value, BoxError> {
        self.round_trips += 1;
        let response = self.http.get(url).bearer_auth(self.token).send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if !status.is_success() {
            return Err(format!("GET {url}: {status} {body}").into());
        }
        Ok(body)
    }

    async fn get_all(&mut self, path: &str) -> Result<Vec<Value>, BoxError> {
        let mut url = format!("{}/{path}", self.graph);
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let mut page = self.get(&url).await?;
            if let Some(Value::Array(values)) = page.get_mut("value").map(Value::take) {
                items.extend(values);
            }
            match page["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_owned(),
                None => return Ok(items),
            }
        }
        Err(format!("{path}: more than {MAX_PAGES} pages").into())
    }
}

fn ids(items: &[Value], field: &str) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|v| v[field].as_str().map(str::to_ascii_lowercase))
        .collect()
}

/// Runs the script once with `token`; returns the sample and how many eligibilities it saw.
pub async fn refresh(base_url: &str, token: &str) -> Result<(Sample, usize), BoxError> {
    let mut script = Script {
        http: reqwest::Client::new(),
        graph: format!("{base_url}/v1.0"),
        token,
        round_trips: 0,
    };
    let start = Instant::now();
    let mut results = Vec::new();
    for path in lists() {
        results.push(script.get_all(&path).await?);
    }
    let (groups, roles) = (
        ids(&results[0], "groupId"),
        ids(&results[1], "roleDefinitionId"),
    );
    for group in &groups {
        let path = format!("policies/roleManagementPolicyAssignments?$filter=scopeId eq '{group}' and scopeType eq 'Group'&$expand=policy($expand=rules)");
        script.get_all(&path).await?;
    }
    for role in &roles {
        let path = format!("policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{role}'&$expand=policy($expand=rules)");
        script.get_all(&path).await?;
    }
    let sample = Sample {
        wall: start.elapsed(),
        round_trips: script.round_trips,
    };
    Ok((sample, results[0].len() + results[1].len()))
}
