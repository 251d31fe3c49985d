//! The PIM calls of the signed-in account on every plane: lists (each plane read concurrently,
//! a refused plane reported rather than failing the rest), activation with step-up, and the
//! approver's inbox.

use std::collections::HashMap;

use tokio_util::sync::CancellationToken;

use crate::auth::{Resource, StepUpClaims};
use crate::error::{Error, ErrorCode, Result};
use crate::graph::{requests, GraphClient};
use crate::model::{
    Activation, ActivationInput, ApprovalItem, DecisionInput, DecisionOutcome, Eligibility,
    Listing, PimRequest, Plane, RequestOutcome, RequesterHistory, Requirements, Target,
};
use crate::session::StepUpError;
use crate::time::to_ipc;

use super::Latchkey;

impl Latchkey {
    /// Everything the signed-in user is eligible for, on every plane, with requirements. A
    /// plane the service refuses to list is reported in `unavailable`, the others still shown.
    pub async fn list_eligibilities(&self) -> Result<Listing<Eligibility>> {
        let (graph, arm) = (self.graph()?, self.arm()?);
        let (groups, roles, azure) = tokio::join!(
            graph.my_eligibilities(Plane::Group, &self.policies),
            graph.my_eligibilities(Plane::DirectoryRole, &self.policies),
            arm.my_eligibilities(&self.policies)
        );
        let mut schedules = HashMap::new();
        let azure = azure.map(|found| {
            schedules = found.schedules;
            found.items
        });
        let listing = self.observe(Listing::gather([
            (Plane::Group, groups),
            (Plane::DirectoryRole, roles),
            (Plane::AzureRole, azure),
        ]))?;
        {
            let mut inner = self.inner();
            inner.arm_schedules.extend(schedules);
            for e in &listing.items {
                inner
                    .requirements
                    .insert(e.target.key(), e.requirements.clone());
                inner
                    .names
                    .insert(e.target.key(), (e.name.clone(), e.scope_name.clone()));
            }
        }
        // Only a complete listing replaces the last known one: a plane that failed would
        // otherwise vanish from the next start's first paint.
        if listing.unavailable.is_empty() {
            let (items, at) = (listing.items.clone(), to_ipc(self.clock.now()));
            self.update_last_known(|known| {
                known.eligibilities = items;
                known.eligibilities_at = Some(at);
            });
        }
        Ok(listing)
    }

    /// What is active now, on every plane, ending soonest first.
    pub async fn list_activations(&self) -> Result<Listing<Activation>> {
        let (graph, arm) = (self.graph()?, self.arm()?);
        let (groups, roles, azure) = tokio::join!(
            graph.my_activations(Plane::Group),
            graph.my_activations(Plane::DirectoryRole),
            arm.my_activations()
        );
        let mut listing = self.gather_named([groups, roles, azure])?;
        listing
            .items
            .sort_by(|a, b| a.end_date_time.cmp(&b.end_date_time).then(a.id.cmp(&b.id)));
        if listing.unavailable.is_empty() {
            let (items, at) = (listing.items.clone(), to_ipc(self.clock.now()));
            self.update_last_known(|known| {
                known.activations = items;
                known.activations_at = Some(at);
            });
        }
        Ok(listing)
    }

    /// My requests on every plane, newest first.
    pub async fn list_requests(&self) -> Result<Listing<PimRequest>> {
        let (graph, arm) = (self.graph()?, self.arm()?);
        let (groups, roles, azure) = tokio::join!(
            graph.my_requests(Plane::Group),
            graph.my_requests(Plane::DirectoryRole),
            arm.my_requests()
        );
        let mut listing = self.gather_named([groups, roles, azure])?;
        listing
            .items
            .sort_by(|a, b| b.created_date_time.cmp(&a.created_date_time));
        Ok(listing)
    }

    /// The three planes' results (groups, directory roles, Azure roles) as one listing, with
    /// names the service left out filled in from the last eligibility listing.
    fn gather_named<T: Named + ts_rs::TS>(
        &self,
        [groups, roles, azure]: [Result<Vec<T>>; 3],
    ) -> Result<Listing<T>> {
        let mut listing = self.observe(Listing::gather([
            (Plane::Group, groups),
            (Plane::DirectoryRole, roles),
            (Plane::AzureRole, azure),
        ]))?;
        let inner = self.inner();
        for item in &mut listing.items {
            let (target, name, scope) = item.parts();
            inner.fill_names(target, name, scope);
        }
        drop(inner);
        Ok(listing)
    }

    async fn requirements_for(&self, graph: &GraphClient, target: &Target) -> Requirements {
        if let Some(known) = self.inner().requirements.get(&target.key()).cloned() {
            return known;
        }
        let subject = match target {
            Target::Group { group_id, .. } => group_id,
            Target::DirectoryRole {
                role_definition_id, ..
            } => role_definition_id,
            Target::AzureRole { .. } => {
                return match self.arm() {
                    Ok(arm) => arm
                        .requirements_of(std::slice::from_ref(target))
                        .await
                        .remove(&target.key())
                        .unwrap_or_else(Requirements::unknown),
                    Err(_) => Requirements::unknown(),
                };
            }
        };
        graph
            .requirements_of(target.plane(), std::slice::from_ref(subject))
            .await
            .get(target)
            .cloned()
            .unwrap_or_else(Requirements::unknown)
    }

    /// Activates one or many at once, on any plane. Each input is validated against its policy
    /// and sent on its own; the outcomes come back in input order. One refused for MFA or an
    /// authentication context is sent again, exactly once, after a silent step-up; when the
    /// service wants the person, its outcome says `stepUpRequired` and
    /// [`Latchkey::step_up_and_activate`] finishes the job.
    pub async fn activate(&self, inputs: Vec<ActivationInput>) -> Result<Vec<RequestOutcome>> {
        self.activate_with(inputs, true).await
    }

    async fn activate_with(
        &self,
        inputs: Vec<ActivationInput>,
        silent_step_up: bool,
    ) -> Result<Vec<RequestOutcome>> {
        let graph = self.graph()?;
        let everything: Vec<usize> = (0..inputs.len()).collect();
        let mut results = self.send_activations(&graph, &inputs, &everything).await?;
        if silent_step_up {
            self.step_up_silently_and_resend(&graph, &inputs, &mut results)
                .await?;
        }
        if results.iter().any(|r| {
            r.as_ref()
                .is_err_and(|e| e.code == ErrorCode::SessionExpired)
        }) {
            self.session_ended(&Error::new(
                ErrorCode::SessionExpired,
                "Your session has ended. Sign in again.",
            ));
        }
        Ok(inputs
            .iter()
            .zip(results)
            .map(|(input, result)| requests::outcome(&input.target, result))
            .collect())
    }

    /// Sends `inputs[i]` for each `i` in `which`, concurrently; results in `which`'s order.
    async fn send_activations(
        &self,
        graph: &GraphClient,
        inputs: &[ActivationInput],
        which: &[usize],
    ) -> Result<Vec<Result<PimRequest>>> {
        let arm = self.arm()?;
        let mut tasks = tokio::task::JoinSet::new();
        for (slot, index) in which.iter().enumerate() {
            let input = inputs[*index].clone();
            let requirements = self.requirements_for(graph, &input.target).await;
            let graph = graph.clone();
            let arm = arm.clone();
            let schedule = self.inner().arm_schedules.get(&input.target.key()).cloned();
            tasks.spawn(async move {
                let result = match input.target.plane() {
                    Plane::AzureRole => {
                        arm.request_activation(&input, &requirements, schedule.as_deref())
                            .await
                    }
                    _ => graph.request_activation(&input, &requirements).await,
                };
                (slot, result)
            });
        }
        let mut results = Vec::with_capacity(tasks.len());
        while let Some(joined) = tasks.join_next().await {
            results
                .push(joined.map_err(|e| Error::internal(format!("activation task failed: {e}")))?);
        }
        results.sort_by_key(|(slot, _)| *slot);
        Ok(results.into_iter().map(|(_, r)| r).collect())
    }

    /// Per resource (Graph for groups and directory roles, ARM for Azure roles): the claims
    /// every step-up refusal in `results` asks for, merged, with their indices.
    fn step_up_wanted(
        inputs: &[ActivationInput],
        results: &[Result<PimRequest>],
    ) -> Vec<(Resource, StepUpClaims, Vec<usize>)> {
        let mut wanted: Vec<(Resource, StepUpClaims, Vec<usize>)> = Vec::new();
        for (index, result) in results.iter().enumerate() {
            let Err(e) = result else { continue };
            if e.code != ErrorCode::StepUpRequired {
                continue;
            }
            let claims = StepUpClaims::from_error(e).unwrap_or_else(StepUpClaims::mfa);
            let resource = resource_of(&inputs[index].target);
            match wanted.iter_mut().find(|(r, _, _)| *r == resource) {
                Some((_, merged, indices)) => {
                    *merged = merged.merged(&claims);
                    indices.push(index);
                }
                None => wanted.push((resource, claims, vec![index])),
            }
        }
        wanted
    }

    async fn step_up_silently_and_resend(
        &self,
        graph: &GraphClient,
        inputs: &[ActivationInput],
        results: &mut [Result<PimRequest>],
    ) -> Result<()> {
        for (resource, claims, indices) in Self::step_up_wanted(inputs, results) {
            match graph
                .session()
                .step_up_silently_for(resource, &claims)
                .await
            {
                Ok(()) => {
                    tracing::info!(
                        count = indices.len(),
                        ?resource,
                        "step-up done silently; resending once"
                    );
                    let again = self.send_activations(graph, inputs, &indices).await?;
                    for (index, result) in indices.into_iter().zip(again) {
                        results[index] = result;
                    }
                }
                Err(StepUpError::InteractionRequired(_)) => {
                    let mut inner = self.inner();
                    inner.step_up_claims = Some(match inner.step_up_claims.take() {
                        Some(held) => held.merged(&claims),
                        None => claims,
                    });
                }
                Err(StepUpError::Failed(e)) => {
                    for index in indices {
                        results[index] = Err(Error::new(e.code, e.message.clone()));
                    }
                }
            }
        }
        Ok(())
    }

    /// Finishes activations that were refused for a stronger sign-in: signs in again in the
    /// browser with the claims PIM asked for (`open` shows the page), then sends the same
    /// requests once more — the person re-types nothing.
    pub async fn step_up_and_activate(
        &self,
        inputs: Vec<ActivationInput>,
        open: impl FnOnce(&str) -> Result<()>,
    ) -> Result<Vec<RequestOutcome>> {
        let session = self.graph()?.session().clone();
        let claims = self
            .inner()
            .step_up_claims
            .clone()
            .unwrap_or_else(StepUpClaims::mfa);
        let cancel = CancellationToken::new();
        if let Some(previous) = self.inner().step_up_cancel.replace(cancel.clone()) {
            previous.cancel();
        }
        let browser = session.start_browser_step_up(&claims).await?;
        open(browser.authorize_url().as_str())?;
        let done = session.complete_browser_step_up(browser, &cancel).await;
        self.inner().step_up_cancel = None;
        done?;
        self.inner().step_up_claims = None;
        // The browser sign-in gave a Graph token; Azure roles need an ARM one with the same
        // claims, which the new (MFA) refresh token can now get silently.
        if inputs
            .iter()
            .any(|i| resource_of(&i.target) == Resource::Arm)
        {
            if let Err(e) = session.step_up_silently_for(Resource::Arm, &claims).await {
                tracing::info!(error = %e, "ARM step-up after the browser did not succeed");
            }
        }
        // A second refusal now is PIM's final word: no silent retry loop.
        self.activate_with(inputs, false).await
    }

    /// Stops a browser step-up under way.
    pub fn cancel_step_up(&self) {
        if let Some(cancel) = self.inner().step_up_cancel.take() {
            cancel.cancel();
        }
    }

    /// Ends an activation early.
    pub async fn deactivate(&self, target: &Target) -> Result<RequestOutcome> {
        Ok(match target.plane() {
            Plane::AzureRole => self.arm()?.deactivate(target).await,
            _ => self.graph()?.deactivate(target).await,
        })
    }

    /// Cancels a pending request.
    pub async fn cancel_request(&self, plane: Plane, request_id: &str) -> Result<()> {
        let result = match plane {
            Plane::AzureRole => self.arm()?.cancel_request(request_id).await,
            _ => self.graph()?.cancel_request(plane, request_id).await,
        };
        self.observe(result)
    }

    /// Requests waiting for my decision as an approver, on every plane, soonest to expire first.
    pub async fn list_approvals(&self) -> Result<Listing<ApprovalItem>> {
        let (graph, arm) = (self.graph()?, self.arm()?);
        let (groups, roles, azure) = tokio::join!(
            graph.approval_queue(Plane::Group),
            graph.approval_queue(Plane::DirectoryRole),
            arm.approval_queue()
        );
        let mut listing = self.observe(Listing::gather([
            (Plane::Group, groups),
            (Plane::DirectoryRole, roles),
            (Plane::AzureRole, azure),
        ]))?;
        listing
            .items
            .sort_by(|a, b| a.expires_date_time.cmp(&b.expires_date_time));
        Ok(listing)
    }

    /// For an approver's detail view: `requester`'s other recent requests for `target`
    /// (without `request_id`, the one being decided). Graph lets an approver list requests that
    /// came to them, filtered by principal and target; Azure Resource Manager offers approvers
    /// no such list (`asApprover()` lists only what waits), which the result says plainly.
    pub async fn approval_history(
        &self,
        target: &Target,
        requester: &str,
        request_id: &str,
    ) -> Result<RequesterHistory> {
        if target.plane() == Plane::AzureRole {
            return Ok(RequesterHistory {
                available: false,
                requests: Vec::new(),
                note: Some(
                    "Azure doesn't let an approver see a requester's earlier requests; only what waits for you is listed."
                        .to_owned(),
                ),
            });
        }
        let graph = self.graph()?;
        let requests =
            self.observe(graph.requester_history(target, requester, request_id).await)?;
        let mut history = RequesterHistory {
            available: true,
            requests,
            note: None,
        };
        for request in &mut history.requests {
            let (target, name, scope) = request.parts();
            self.inner().fill_names(target, name, scope);
        }
        Ok(history)
    }

    /// Approves or denies one or many requests; the outcomes come back in input order. A
    /// request someone else decided first comes back as `alreadyDecided`.
    pub async fn decide(&self, inputs: Vec<DecisionInput>) -> Result<Vec<DecisionOutcome>> {
        let (graph, arm) = (self.graph()?, self.arm()?);
        let mut tasks = tokio::task::JoinSet::new();
        for (index, input) in inputs.into_iter().enumerate() {
            let graph = graph.clone();
            let arm = arm.clone();
            tasks.spawn(async move {
                let outcome = match input.plane {
                    Plane::AzureRole => crate::graph::approvals::decision_outcome(
                        &input,
                        arm.try_decide(&input).await,
                    ),
                    _ => graph.decide(&input).await,
                };
                (index, outcome)
            });
        }
        let mut outcomes = Vec::with_capacity(tasks.len());
        while let Some(joined) = tasks.join_next().await {
            outcomes
                .push(joined.map_err(|e| Error::internal(format!("decision task failed: {e}")))?);
        }
        outcomes.sort_by_key(|(index, _)| *index);
        Ok(outcomes.into_iter().map(|(_, o)| o).collect())
    }
}

/// The API whose token a target's requests carry.
fn resource_of(target: &Target) -> Resource {
    match target {
        Target::AzureRole { .. } => Resource::Arm,
        Target::Group { .. } | Target::DirectoryRole { .. } => Resource::Graph,
    }
}

/// A listed item whose name and scope name may be filled in from an earlier listing.
trait Named {
    fn parts(&mut self) -> (&Target, &mut Option<String>, &mut Option<String>);
}

impl Named for Activation {
    fn parts(&mut self) -> (&Target, &mut Option<String>, &mut Option<String>) {
        (&self.target, &mut self.name, &mut self.scope_name)
    }
}

impl Named for PimRequest {
    fn parts(&mut self) -> (&Target, &mut Option<String>, &mut Option<String>) {
        (&self.target, &mut self.name, &mut self.scope_name)
    }
}
