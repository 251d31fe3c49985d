//! Shared set-up: a sandbox on 127.0.0.1:0 and a `Latchkey` pointed at it, with an in-memory
//! secret store and a scratch accounts file (tests never touch the user's keyring or config).

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use latchkey_core::clock::SystemClock;
use latchkey_core::endpoints::Endpoints;
use latchkey_core::ipc::{SessionState, TenantInfo, TenantKind};
use latchkey_core::model::{Eligibility, GroupAccess, Plane, Target};
use latchkey_core::secrets::{MemoryStore, SecretStore};
use latchkey_core::{Latchkey, LatchkeyConfig};
use latchkey_sandbox::{Sandbox, SandboxOptions, DEMO_CLIENT_ID};

pub const ADA: &str = "ada@fabrikam.example";

/// Sandbox options that keep tests fast: 1 s polling.
pub fn fast_options() -> SandboxOptions {
    SandboxOptions {
        device_code_interval: Duration::from_secs(1),
        ..SandboxOptions::default()
    }
}

pub struct Harness {
    pub sandbox: Sandbox,
    pub store: Arc<dyn SecretStore>,
    pub accounts_path: PathBuf,
    pub client_id: String,
    /// Overrides the environment name stored accounts are keyed by (the app uses `sandbox`).
    pub environment: Option<String>,
}

impl Harness {
    pub async fn start(options: SandboxOptions) -> Self {
        let sandbox = Sandbox::start_demo(options).await.expect("sandbox starts");
        let dir = std::env::temp_dir().join(format!("latchkey-test-{}", uuid::Uuid::new_v4()));
        Self {
            sandbox,
            store: Arc::new(MemoryStore::default()),
            accounts_path: dir.join("accounts.json"),
            client_id: DEMO_CLIENT_ID.to_owned(),
            environment: None,
        }
    }

    pub fn latchkey(&self) -> Arc<Latchkey> {
        self.latchkey_with_clock(Arc::new(SystemClock))
    }

    /// As [`Harness::latchkey`], reading time from `clock` (to move past the policy TTL).
    pub fn latchkey_with_clock(
        &self,
        clock: Arc<dyn latchkey_core::clock::Clock>,
    ) -> Arc<Latchkey> {
        let mut endpoints =
            Endpoints::single_host(self.sandbox.base_url(), "organizations", &self.client_id)
                .unwrap();
        if let Some(environment) = &self.environment {
            endpoints.environment = environment.clone();
        }
        Latchkey::new(LatchkeyConfig {
            tenant: TenantInfo {
                kind: TenantKind::Sandbox,
                label: "Sandbox tenant".into(),
                tenant: "organizations".into(),
            },
            endpoints,
            store: self.store.clone(),
            accounts_path: self.accounts_path.clone(),
            clock,
            last_known_dir: self.accounts_path.parent().map(|d| d.join("last-known")),
        })
        .unwrap()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(dir) = self.accounts_path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Submits the sandbox's verification page the way a browser form would.
pub async fn submit_device_login(
    verification_uri: &str,
    fields: &[(&str, &str)],
) -> (reqwest::StatusCode, String) {
    let response = reqwest::Client::new()
        .post(verification_uri)
        .form(fields)
        .send()
        .await
        .expect("verification page answers");
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// Approves a user code as `upn`.
pub async fn approve(verification_uri: &str, user_code: &str, upn: &str) {
    let (status, body) = submit_device_login(
        verification_uri,
        &[
            ("user_code", user_code),
            ("login_hint", upn),
            ("decision", "approve"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#"data-outcome="approved""#), "{body}");
}

/// Waits until the session state satisfies `done`, failing with the last state seen.
pub async fn wait_for(
    latchkey: &Latchkey,
    what: &str,
    done: impl Fn(&SessionState) -> bool,
) -> SessionState {
    let mut rx = latchkey.subscribe();
    let waited = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let state = rx.borrow_and_update().clone();
            if done(&state) {
                return state;
            }
            if rx.changed().await.is_err() {
                return rx.borrow().clone();
            }
        }
    })
    .await;
    match waited {
        Ok(state) if done(&state) => state,
        Ok(state) => panic!("state channel closed before {what}; last state {state:?}"),
        Err(_) => panic!(
            "timed out waiting for {what}; last state {:?}",
            latchkey.snapshot().session
        ),
    }
}

pub fn is_signed_in(s: &SessionState) -> bool {
    matches!(s, SessionState::SignedIn { .. })
}

pub fn is_signed_out(s: &SessionState) -> bool {
    matches!(s, SessionState::SignedOut { .. })
}

/// Signs `upn` in through the device-code flow and returns once the app says so.
pub async fn sign_in(latchkey: &Arc<Latchkey>, upn: &str) {
    let prompt = latchkey.start_sign_in().await.expect("device code issued");
    approve(&prompt.verification_uri, &prompt.user_code, upn).await;
    wait_for(latchkey, "signed in", is_signed_in).await;
}

/// A new app start against the same store and accounts file: it must resume `ADA` silently
/// and list her five groups.
pub async fn restart_expecting_ada(harness: &Harness) -> Arc<Latchkey> {
    let again = harness.latchkey();
    again.restore().await;
    assert!(
        is_signed_in(&again.snapshot().session),
        "{:?}; accounts: {:?}",
        again.snapshot().session,
        std::fs::read_to_string(&harness.accounts_path)
    );
    assert_eq!(groups_of(&again).await.len(), 5);
    again
}

/// Calls the sandbox's control API (faults, clock); panics unless it accepts.
pub async fn control(harness: &Harness, path: &str, body: serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", harness.sandbox.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
}

/// Makes the sandbox answer the next `count` requests with `method` whose path contains
/// `path` with the fault `kind`, spelled as the control API takes it (`"loseResponse"`,
/// `"unavailable"`, `{"throttle": {"retryAfter": 1}}`, …).
pub async fn fault(
    harness: &Harness,
    method: &str,
    path: &str,
    kind: serde_json::Value,
    count: u32,
) {
    control(
        harness,
        "/_sandbox/faults",
        serde_json::json!({ "method": method, "pathContains": path, "kind": kind, "count": count }),
    )
    .await;
}

/// A group membership or ownership as a PIM target.
pub fn group_target(group_id: &str, access: GroupAccess) -> Target {
    Target::Group {
        group_id: group_id.into(),
        access,
    }
}

/// The signed-in user's group eligibilities (the group plane of the listing).
pub async fn groups_of(latchkey: &Arc<Latchkey>) -> Vec<Eligibility> {
    let listing = latchkey
        .list_eligibilities()
        .await
        .expect("eligibilities listed");
    listing
        .items
        .into_iter()
        .filter(|e| e.target.plane() == Plane::Group)
        .collect()
}

/// An `Authenticator` for the harness's sandbox (for tests below the `Latchkey` facade).
pub fn authenticator(harness: &Harness) -> Arc<latchkey_core::auth::Authenticator> {
    let endpoints = Endpoints::single_host(
        harness.sandbox.base_url(),
        "organizations",
        &harness.client_id,
    )
    .unwrap();
    Arc::new(latchkey_core::auth::Authenticator::new(
        endpoints,
        latchkey_core::http::HttpClient::new().unwrap(),
        Arc::new(SystemClock),
    ))
}

/// The MFA step's challenge id and number, read from a sandbox sign-in page.
pub fn mfa_fields(page: &str) -> Option<(String, String)> {
    let after = |marker: &str| {
        let start = page.find(marker)? + marker.len();
        page[start..].split('"').next().map(str::to_owned)
    };
    Some((
        after(r#"name="mfa_challenge" value=""#)?,
        after(r#"data-mfa-number=""#)?,
    ))
}

/// Approves a user code as `upn`, doing the MFA step; panics unless the page showed one.
pub async fn approve_with_mfa(verification_uri: &str, user_code: &str, upn: &str) {
    let approve = [
        ("user_code", user_code),
        ("login_hint", upn),
        ("decision", "approve"),
    ];
    let (_, page) = submit_device_login(verification_uri, &approve).await;
    let (challenge, number) = mfa_fields(&page).unwrap_or_else(|| panic!("an MFA step: {page}"));
    let mut fields = approve.to_vec();
    fields.push(("mfa_challenge", &challenge));
    fields.push(("mfa_number", &number));
    let (status, page) = submit_device_login(verification_uri, &fields).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(r#"data-outcome="approved""#), "{page}");
}

/// Plays the system browser on a sandbox authorize URL: posts `decision` as `upn` (doing the
/// MFA step when shown), follows the redirect to the app's loopback listener and returns that
/// page's status and text.
pub async fn play_browser(authorize_url: &str, upn: &str, decision: &str) -> (u16, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let answer = [("login_hint", upn), ("decision", decision)];
    let mut response = http.post(authorize_url).form(&answer).send().await.unwrap();
    if response.status() == 200 {
        let page = response.text().await.unwrap();
        let (challenge, number) = mfa_fields(&page).unwrap_or_else(|| panic!("MFA step: {page}"));
        let mut fields = answer.to_vec();
        fields.push(("mfa_challenge", &challenge));
        fields.push(("mfa_number", &number));
        response = http.post(authorize_url).form(&fields).send().await.unwrap();
    }
    assert_eq!(response.status(), 302, "{:?}", response.text().await);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("http://localhost:"), "{location}");
    let back = http.get(&location).send().await.unwrap();
    (back.status().as_u16(), back.text().await.unwrap())
}

/// Group ids and Ada's object id in the demo tenant.
pub const PAYMENTS: &str = "da8ddf7b-f9e6-4083-a98f-1e67ee2c128d";
pub const K8S: &str = "720c50ef-9135-4f2d-b306-0eee8c3f0a15";
pub const ADA_ID: &str = "8593dd9e-f545-42a4-bb60-1960cbb136bd";

/// Asks the sandbox's Graph to activate Ada's membership of `group` with `token`.
pub async fn activate_group(harness: &Harness, token: &str, group: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests",
            harness.sandbox.base_url()
        ))
        .bearer_auth(token)
        .json(&serde_json::json!({
            "action": "selfActivate",
            "principalId": ADA_ID,
            "groupId": group,
            "accessId": "member",
            "justification": "Investigating INC-42",
            "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": "PT1H" } },
        }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A new `Latchkey` on the harness, signed in as `upn`.
pub async fn signed_in(harness: &Harness, upn: &str) -> Arc<Latchkey> {
    let latchkey = harness.latchkey();
    sign_in(&latchkey, upn).await;
    latchkey
}

/// A new `Latchkey` signed in as `upn` that has listed its eligibilities once (so policies
/// and names are known, as after the app's first screen).
pub async fn signed_in_and_listed(harness: &Harness, upn: &str) -> Arc<Latchkey> {
    let latchkey = signed_in(harness, upn).await;
    latchkey.list_eligibilities().await.unwrap();
    latchkey
}

/// Activates one input and returns its outcome.
pub async fn activate_one(
    latchkey: &Latchkey,
    input: latchkey_core::model::ActivationInput,
) -> latchkey_core::model::RequestOutcome {
    latchkey.activate(vec![input]).await.unwrap().remove(0)
}

/// `requester` asks for `target` for `minutes` with the justification "Failover drill" and the
/// ticket `(number, system)`; PIM must hold it for approval. Returns the request id.
pub async fn ask_pending(
    requester: &Latchkey,
    target: Target,
    minutes: u32,
    (ticket_number, ticket_system): (&str, Option<&str>),
) -> String {
    let outcome = activate_one(
        requester,
        latchkey_core::model::ActivationInput {
            target,
            duration_minutes: minutes,
            justification: Some("Failover drill".into()),
            ticket_number: Some(ticket_number.into()),
            ticket_system: ticket_system.map(Into::into),
            start_at: None,
        },
    )
    .await;
    assert_eq!(
        outcome.status,
        Some(latchkey_core::model::RequestStatus::PendingApproval),
        "{outcome:?}"
    );
    outcome.request_id.unwrap()
}

/// How many of my requests PIM lists for `target` (any action, any status).
pub async fn requests_for(latchkey: &Latchkey, target: &Target) -> usize {
    latchkey
        .list_requests()
        .await
        .unwrap()
        .items
        .iter()
        .filter(|r| r.target.same(target))
        .count()
}

/// An outcome as what a person reads: PIM's status, or the error's code.
pub fn status(
    outcome: &latchkey_core::model::RequestOutcome,
) -> Result<latchkey_core::model::RequestStatus, latchkey_core::ErrorCode> {
    match (&outcome.status, &outcome.error) {
        (Some(s), None) => Ok(*s),
        (_, Some(e)) => Err(e.code),
        _ => panic!("neither status nor error: {outcome:?}"),
    }
}

/// An approver's decision on `item` with a reason.
pub fn decision(
    item: &latchkey_core::model::ApprovalItem,
    approve: bool,
    why: &str,
) -> latchkey_core::model::DecisionInput {
    latchkey_core::model::DecisionInput {
        plane: item.target.plane(),
        approval_id: item.approval_id.clone(),
        approve,
        justification: why.into(),
    }
}
