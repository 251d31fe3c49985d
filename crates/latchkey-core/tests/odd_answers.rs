//! A Graph and ARM that answer oddly: unknown enum values, an HTML error page, JSON of the
//! wrong shape, and a `$batch` that answers 200 with errors inside. Sign-in is the sandbox's;
//! Graph and ARM are a tiny canned server here (the sandbox answers correctly, and its
//! `malformed` and `truncated` faults are covered by the soak). Every answer ends in a listing
//! or a typed error — never `Internal`, never markup in a message.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use latchkey_core::clock::SystemClock;
use latchkey_core::endpoints::Endpoints;
use latchkey_core::ipc::{TenantInfo, TenantKind};
use latchkey_core::model::{ActivationInput, GroupAccess, Plane, Target};
use latchkey_core::{ErrorCode, Latchkey, LatchkeyConfig};
use latchkey_sandbox::DEMO_CLIENT_ID;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// (path substring, status, content type, body): the first match answers; else a Graph 404.
type Route = (String, u16, String, String);
type Routes = Arc<Mutex<Vec<Route>>>;

async fn canned_server(routes: Routes) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let (head_end, length) = loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (end + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let path = percent_decode(&path);
                let answer = routes
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(p, ..)| path.contains(p.as_str()))
                    .map(|(_, s, c, b)| (*s, c.clone(), b.clone()));
                let (status, content_type, body) = answer.unwrap_or((
                    404,
                    "application/json".into(),
                    json!({"error": {"code": "ResourceNotFound", "message": "nothing here"}})
                        .to_string(),
                ));
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

fn percent_decode(s: &str) -> String {
    s.replace("%24", "$")
        .replace("%27", "'")
        .replace("%20", " ")
}

/// Ada, signed in with the sandbox, then a second app start whose Graph and ARM are `fake`.
async fn ada_against(harness: &Harness, fake: &str) -> Arc<Latchkey> {
    sign_in(&harness.latchkey(), ADA).await;
    let mut endpoints =
        Endpoints::single_host(harness.sandbox.base_url(), "organizations", DEMO_CLIENT_ID)
            .unwrap();
    endpoints.graph = url::Url::parse(fake).unwrap();
    endpoints.arm = url::Url::parse(fake).unwrap();
    let latchkey = Latchkey::new(LatchkeyConfig {
        tenant: TenantInfo {
            kind: TenantKind::Sandbox,
            label: "Sandbox tenant".into(),
            tenant: "organizations".into(),
        },
        endpoints,
        store: harness.store.clone(),
        accounts_path: harness.accounts_path.clone(),
        clock: Arc::new(SystemClock),
        last_known_dir: None,
    })
    .unwrap();
    latchkey.restore().await;
    assert!(is_signed_in(&latchkey.snapshot().session));
    latchkey
}

fn route(
    path: &str,
    status: u16,
    content_type: &str,
    body: String,
) -> (String, u16, String, String) {
    (path.into(), status, content_type.into(), body)
}

fn assert_typed(what: &str, code: ErrorCode, message: &str) {
    assert_ne!(code, ErrorCode::Internal, "{what}: {message}");
    assert!(!message.trim().is_empty(), "{what}: an empty message");
    assert!(
        !message.contains('<'),
        "{what}: markup in the message: {message}"
    );
}

const GROUP_INSTANCES: &str = "privilegedAccess/group/eligibilityScheduleInstances";

fn one_group(access: &str, member_type: &str) -> String {
    json!({ "value": [{
        "id": "g1_member_e1", "accessId": access, "groupId": "g1", "principalId": ADA_ID,
        "memberType": member_type, "status": "Provisioned", "startDateTime": "2026-01-01T00:00:00Z",
        "endDateTime": null, "eligibilityScheduleId": "e1",
        "group": { "id": "g1", "displayName": "Canned group" }
    }]})
    .to_string()
}

#[tokio::test]
async fn odd_answers_end_in_a_listing_or_a_typed_error() {
    let harness = Harness::start(fast_options()).await;
    let routes: Routes = Arc::default();
    let fake = canned_server(routes.clone()).await;
    let ada = ada_against(&harness, &fake).await;
    let empty = json!({ "value": [] }).to_string();
    let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>".to_owned();

    let cases: Vec<(&str, Vec<Route>)> = vec![
        (
            "unknown enum values",
            vec![
                route(GROUP_INSTANCES, 200, "application/json", one_group("superuser", "Alien")),
                route("$batch", 200, "application/json", json!({"responses": []}).to_string()),
                route("", 200, "application/json", empty.clone()),
            ],
        ),
        ("an HTML error page", vec![route("", 502, "text/html", html.clone())]),
        ("an HTML page with 200", vec![route("", 200, "text/html", html.clone())]),
        (
            "JSON of the wrong shape",
            vec![
                route(GROUP_INSTANCES, 200, "application/json", json!({"value": "nope", "x": [1]}).to_string()),
                route("", 200, "application/json", json!([1, 2, 3]).to_string()),
            ],
        ),
        ("not JSON at all", vec![route("", 200, "application/json", "{\"value\": [".into())]),
        (
            "a $batch answering 200 with errors inside",
            vec![
                route(GROUP_INSTANCES, 200, "application/json", one_group("member", "Direct")),
                route(
                    "$batch",
                    200,
                    "application/json",
                    json!({ "responses": [
                        { "id": "0", "status": 200, "body": { "error": { "code": "InternalServerError", "message": "boom" } } },
                        { "id": "1", "status": 500, "body": { "error": { "code": "UnknownError", "message": "boom" } } },
                        { "id": "2", "status": 200, "body": "<html>oops</html>" }
                    ]})
                    .to_string(),
                ),
                route("", 200, "application/json", empty.clone()),
            ],
        ),
    ];

    for (what, answers) in cases {
        *routes.lock().unwrap() = answers;
        let listed = ada.list_eligibilities().await;
        println!(
            "{what}: {}",
            match &listed {
                Ok(l) => format!(
                    "{} items {:?}, unavailable {:?}",
                    l.items.len(),
                    l.items
                        .iter()
                        .map(|e| (&e.target, e.requirements.known))
                        .collect::<Vec<_>>(),
                    l.unavailable
                        .iter()
                        .map(|f| (f.plane, f.error.code))
                        .collect::<Vec<_>>()
                ),
                Err(e) => format!("error {:?}", e.code),
            }
        );
        match listed {
            Ok(listing) => {
                for failure in &listing.unavailable {
                    assert_typed(what, failure.error.code, &failure.error.message);
                }
                for item in listing
                    .items
                    .iter()
                    .filter(|e| e.target.plane() == Plane::Group)
                {
                    if what == "unknown enum values" {
                        assert!(
                            matches!(
                                item.target,
                                Target::Group {
                                    access: GroupAccess::Unknown,
                                    ..
                                }
                            ),
                            "{what}: an unknown access kind is kept as unknown: {item:?}"
                        );
                    }
                    if what.starts_with("a $batch") {
                        assert!(
                            !item.requirements.known,
                            "{what}: a policy read that failed inside the batch is not taken as known: {:?}",
                            item.requirements
                        );
                    }
                }
                if what.starts_with("an HTML") || what == "not JSON at all" {
                    assert!(listing.items.is_empty(), "{what}: nothing made up");
                    assert!(
                        !listing.unavailable.is_empty(),
                        "{what}: the failure is reported"
                    );
                }
                if what.starts_with("a $batch") {
                    assert!(
                        listing
                            .items
                            .iter()
                            .any(|e| e.name.as_deref() == Some("Canned group"))
                            || !listing.unavailable.is_empty(),
                        "{what}: the group is listed or its plane reported: {listing:?}"
                    );
                }
            }
            Err(e) => assert_typed(what, e.code, &e.message),
        }
        // An activation against the same answers: a typed outcome.
        let outcome = ada
            .activate(vec![ActivationInput {
                target: Target::Group {
                    group_id: "g1".into(),
                    access: GroupAccess::Member,
                },
                duration_minutes: 60,
                justification: Some("Odd answers".into()),
                ticket_number: Some("T-1".into()),
                ticket_system: None,
                start_at: None,
            }])
            .await;
        match outcome {
            Ok(outcomes) => {
                assert_eq!(outcomes.len(), 1);
                if let Some(e) = &outcomes[0].error {
                    assert_typed(what, e.code, &e.message);
                } else {
                    assert!(
                        what == "unknown enum values"
                            || what.starts_with("a $batch")
                            || what == "JSON of the wrong shape",
                        "{what}: an activation cannot succeed on this answer: {outcomes:?}"
                    );
                }
            }
            Err(e) => assert_typed(what, e.code, &e.message),
        }
    }

    // The activation's own answer with a status this version does not know.
    *routes.lock().unwrap() = vec![
        route(
            "group/assignmentScheduleRequests",
            201,
            "application/json",
            json!({ "id": "r1", "status": "SomethingNew", "action": "selfActivate", "groupId": "g1",
                    "accessId": "member", "principalId": ADA_ID, "createdDateTime": "2026-01-01T00:00:00Z" })
            .to_string(),
        ),
        route("", 200, "application/json", empty),
    ];
    let outcome = ada
        .activate(vec![ActivationInput {
            target: Target::Group {
                group_id: "g1".into(),
                access: GroupAccess::Member,
            },
            duration_minutes: 60,
            justification: Some("Odd answers".into()),
            ticket_number: Some("T-1".into()),
            ticket_system: None,
            start_at: None,
        }])
        .await
        .unwrap();
    if let Some(e) = &outcome[0].error {
        assert_typed("an unknown request status", e.code, &e.message);
    } else {
        assert!(outcome[0].request_id.is_some(), "{outcome:?}");
    }
    assert!(
        is_signed_in(&ada.snapshot().session),
        "odd answers do not end the session"
    );
}
