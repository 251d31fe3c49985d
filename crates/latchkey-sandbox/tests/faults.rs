//! Injected faults over real HTTP: every kind, selection by count and by seeded rate, the
//! counters, and that the control API itself is never faulted. Each call is bounded by a
//! client timeout so a fault that hangs fails the test instead of the run.

mod common;

use std::time::{Duration, Instant};

use common::{sandbox, sign_in, Client};
use latchkey_sandbox::Sandbox;
use serde_json::{json, Value};

/// An identity route that needs no token: faults without a path reach it as well.
const DISCOVERY: &str = "/organizations/v2.0/.well-known/openid-configuration";
/// A Graph list only a signed-in caller may read.
const ME: &str = "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/filterByCurrentUser(on='principal')";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn add_fault(sandbox: &Sandbox, fault: Value) {
    let response = http()
        .post(format!("{}/_sandbox/faults", sandbox.base_url()))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        204,
        "{fault}: {:?}",
        response.text().await
    );
}

async fn injected(sandbox: &Sandbox) -> Value {
    let response = http()
        .get(format!("{}/_sandbox/faults", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["injected"].clone()
}

/// `GET path` with Ada's token.
async fn get(ada: &Client, path: &str) -> reqwest::Result<reqwest::Response> {
    http()
        .get(format!("{}{path}", ada.base))
        .bearer_auth(&ada.token)
        .send()
        .await
}

async fn started() -> (Sandbox, Client) {
    let sandbox = sandbox().await;
    let ada = sign_in(&sandbox, "ada@fabrikam.example").await;
    (sandbox, ada)
}

#[tokio::test]
async fn latency_without_a_count_delays_every_route_but_the_control_api() {
    let (sandbox, ada) = started().await;
    add_fault(&sandbox, json!({ "kind": { "latency": { "ms": 150 } } })).await;
    for path in [ME, DISCOVERY, ME] {
        let start = Instant::now();
        let response = get(&ada, path).await.unwrap();
        assert_eq!(response.status(), 200, "{path} is processed normally");
        assert!(
            start.elapsed() >= Duration::from_millis(150),
            "{path}: {:?}",
            start.elapsed()
        );
    }
    let start = Instant::now();
    assert_eq!(injected(&sandbox).await["latency"], 3);
    assert!(
        start.elapsed() < Duration::from_millis(150),
        "control API is not delayed"
    );
}

#[tokio::test]
async fn throttle_with_and_without_retry_after() {
    let (sandbox, ada) = started().await;
    add_fault(&sandbox, json!({ "method": "GET", "pathContains": "eligibilityScheduleInstances", "kind": { "throttle": { "retryAfter": 3 } }, "count": 1 })).await;
    add_fault(
        &sandbox,
        json!({ "pathContains": "eligibilityScheduleInstances", "kind": { "throttle": {} }, "count": 1 }),
    )
    .await;
    let first = get(&ada, ME).await.unwrap();
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "3");
    let second = get(&ada, ME).await.unwrap();
    assert_eq!(second.status(), 429);
    assert!(
        second.headers().get("retry-after").is_none(),
        "no Retry-After when none is set"
    );
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert_eq!(
        get(&ada, ME).await.unwrap().status(),
        200,
        "both counts used up"
    );
    assert_eq!(injected(&sandbox).await, json!({ "throttle": 2 }));
}

#[tokio::test]
async fn server_errors_answer_with_graphs_envelope() {
    let (sandbox, ada) = started().await;
    for (kind, status, code) in [
        ("serverError", 500, "generalException"),
        ("unavailable", 503, "ServiceUnavailable"),
        ("gatewayTimeout", 504, "GatewayTimeout"),
    ] {
        add_fault(
            &sandbox,
            json!({ "pathContains": "eligibilityScheduleInstances", "kind": kind, "count": 1 }),
        )
        .await;
        let response = get(&ada, ME).await.unwrap();
        assert_eq!(response.status(), status, "{kind}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{kind}");
    }
    assert_eq!(
        injected(&sandbox).await,
        json!({ "serverError": 1, "unavailable": 1, "gatewayTimeout": 1 })
    );
}

#[tokio::test]
async fn reset_closes_the_connection_without_an_answer() {
    let (sandbox, ada) = started().await;
    add_fault(
        &sandbox,
        json!({ "pathContains": ".well-known", "kind": "reset", "count": 1 }),
    )
    .await;
    let error = get(&ada, DISCOVERY).await.expect_err("no response at all");
    assert!(!error.is_timeout() && error.status().is_none(), "{error:?}");
    assert_eq!(
        get(&ada, DISCOVERY).await.unwrap().status(),
        200,
        "the next connection works"
    );
    assert_eq!(injected(&sandbox).await["reset"], 1);
}

#[tokio::test]
async fn truncated_bodies_stop_mid_json() {
    let (sandbox, ada) = started().await;
    let whole = get(&ada, ME).await.unwrap().text().await.unwrap();
    add_fault(
        &sandbox,
        json!({ "pathContains": "eligibilityScheduleInstances", "kind": "truncated", "count": 1 }),
    )
    .await;
    let response = get(&ada, ME).await.unwrap();
    assert_eq!(response.status(), 200, "processed: the status was sent");
    assert_eq!(
        response.content_length(),
        Some(whole.len() as u64),
        "the full length was promised"
    );
    assert!(response.bytes().await.is_err(), "the body ends early");
}

#[tokio::test]
async fn malformed_bodies_are_html_with_a_200() {
    let (sandbox, ada) = started().await;
    add_fault(
        &sandbox,
        json!({ "pathContains": "eligibilityScheduleInstances", "kind": "malformed", "count": 1 }),
    )
    .await;
    let response = get(&ada, ME).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn slow_bodies_send_headers_at_once_and_the_body_over_time() {
    let (sandbox, ada) = started().await;
    let whole: Value = get(&ada, ME).await.unwrap().json().await.unwrap();
    add_fault(
        &sandbox,
        json!({ "pathContains": "eligibilityScheduleInstances", "kind": { "slowBody": { "ms": 600 } }, "count": 1 }),
    )
    .await;
    let start = Instant::now();
    let response = get(&ada, ME).await.unwrap();
    let headers_after = start.elapsed();
    let body: Value = response.json().await.unwrap();
    assert!(
        headers_after < Duration::from_millis(300),
        "headers after {headers_after:?}"
    );
    assert!(
        start.elapsed() >= Duration::from_millis(500),
        "body after {:?}",
        start.elapsed()
    );
    assert_eq!(body, whole, "the trickled body is the real one");
}

/// Which of `n` reads of the list a `rate` fault with `seed` hits, on a fresh sandbox.
async fn hits(seed: u64, n: usize) -> (Vec<bool>, Value) {
    let (sandbox, ada) = started().await;
    add_fault(
        &sandbox,
        json!({ "kind": "serverError", "pathContains": "eligibilityScheduleInstances", "rate": 0.5, "seed": seed }),
    )
    .await;
    let mut hits = Vec::with_capacity(n);
    for _ in 0..n {
        hits.push(get(&ada, ME).await.unwrap().status() == 500);
    }
    (hits, injected(&sandbox).await)
}

#[tokio::test]
async fn a_rate_hits_the_same_requests_for_the_same_seed() {
    let (first, counted) = hits(42, 24).await;
    let (again, _) = hits(42, 24).await;
    let (other, _) = hits(43, 24).await;
    assert_eq!(first, again, "same seed, same requests hit");
    assert_ne!(first, other, "another seed, another sequence");
    let count = first.iter().filter(|h| **h).count();
    assert!((4..=20).contains(&count), "{count} of 24 at rate 0.5");
    assert_eq!(counted["serverError"], count);
}

#[tokio::test]
async fn a_bad_fault_is_refused_and_delete_clears_faults_and_counters() {
    let (sandbox, ada) = started().await;
    let refused = http()
        .post(format!("{}/_sandbox/faults", sandbox.base_url()))
        .json(&json!({ "kind": "reset", "rate": 2.0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("rate"));
    add_fault(
        &sandbox,
        json!({ "pathContains": "eligibilityScheduleInstances", "kind": "serverError" }),
    )
    .await;
    assert_eq!(get(&ada, ME).await.unwrap().status(), 500);
    assert_eq!(
        get(&ada, ME).await.unwrap().status(),
        500,
        "no count: every request"
    );
    let cleared = http()
        .delete(format!("{}/_sandbox/faults", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert_eq!(get(&ada, ME).await.unwrap().status(), 200);
    assert_eq!(injected(&sandbox).await, json!({}));
}

#[tokio::test]
async fn batch_sub_requests_get_status_faults_but_not_transport_faults() {
    let (sandbox, ada) = started().await;
    add_fault(
        &sandbox,
        json!({ "pathContains": "eligibilityScheduleInstances", "kind": "reset" }),
    )
    .await;
    add_fault(
        &sandbox,
        json!({ "pathContains": "eligibilityScheduleInstances", "kind": { "throttle": {} }, "count": 1 }),
    )
    .await;
    let response = http()
        .post(format!("{}/v1.0/$batch", ada.base))
        .bearer_auth(&ada.token)
        .json(&json!({ "requests": [
            { "id": "1", "method": "GET", "url": "/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/filterByCurrentUser(on='principal')" },
            { "id": "2", "method": "GET", "url": "/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/filterByCurrentUser(on='principal')" },
        ] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the outer request is not reset");
    let body: Value = response.json().await.unwrap();
    let mut statuses: Vec<(String, u64)> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    statuses.sort();
    assert_eq!(statuses, [("1".to_owned(), 429), ("2".to_owned(), 200)]);
}
