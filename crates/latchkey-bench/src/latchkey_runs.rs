//! What the app does, timed: a full refresh through `latchkey_core::Latchkey` (every list the
//! dashboard shows, read concurrently as the web view asks for them) and one activation.

use std::sync::Arc;
use std::time::{Duration, Instant};

use latchkey_core::model::{ActivationInput, Eligibility, RequestStatus};
use latchkey_core::Latchkey;

use crate::report::Sample;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One full refresh: eligibilities (with their policies) on every plane, what is active, my
/// requests and my approvals. Returns the sample and the eligibilities listed.
pub async fn refresh(latchkey: &Latchkey) -> Result<(Sample, Vec<Eligibility>), BoxError> {
    let before = latchkey.round_trips();
    let start = Instant::now();
    let (eligibilities, active, requests, approvals) = tokio::join!(
        latchkey.list_eligibilities(),
        latchkey.list_activations(),
        latchkey.list_requests(),
        latchkey.list_approvals()
    );
    let wall = start.elapsed();
    let eligibilities = eligibilities?;
    let failed: Vec<String> = [
        &eligibilities.unavailable,
        &active?.unavailable,
        &requests?.unavailable,
        &approvals?.unavailable,
    ]
    .into_iter()
    .flatten()
    .map(|f| format!("{f:?}"))
    .collect();
    if !failed.is_empty() {
        return Err(format!("a plane was not listed: {failed:?}").into());
    }
    let sample = Sample {
        wall,
        round_trips: latchkey.round_trips() - before,
    };
    Ok((sample, eligibilities.items))
}

/// Eligibilities that activate at once: policy known, no approval, MFA, context or ticket.
pub fn instantly_activatable(items: &[Eligibility]) -> Vec<&Eligibility> {
    items
        .iter()
        .filter(|e| {
            let r = &e.requirements;
            r.known && !r.approval && !r.mfa && !r.ticket && r.authentication_context.is_none()
        })
        .collect()
}

/// Activates `eligibility` and times it until the service says `Provisioned`.
pub async fn activate(
    latchkey: &Arc<Latchkey>,
    eligibility: &Eligibility,
) -> Result<Sample, BoxError> {
    let minutes = eligibility
        .requirements
        .max_duration_minutes
        .unwrap_or(60)
        .min(60);
    let input = ActivationInput {
        target: eligibility.target.clone(),
        duration_minutes: minutes,
        justification: Some("Benchmark activation".into()),
        ticket_number: None,
        ticket_system: None,
        start_at: None,
    };
    let before = latchkey.round_trips();
    let start = Instant::now();
    let outcomes = latchkey.activate(vec![input]).await?;
    let wall: Duration = start.elapsed();
    let outcome = outcomes.into_iter().next().ok_or("no activation outcome")?;
    if outcome.status != Some(RequestStatus::Provisioned) {
        return Err(format!("activation did not provision: {outcome:?}").into());
    }
    Ok(Sample {
        wall,
        round_trips: latchkey.round_trips() - before,
    })
}
