use super::*;

fn fault(json: Value) -> Fault {
    serde_json::from_value(json).unwrap()
}

#[test]
fn the_existing_shape_still_parses_and_new_fields_are_optional() {
    let old = fault(
        json!({ "method": "POST", "pathContains": "group/", "kind": { "throttle": { "retryAfter": 2 } }, "count": 1 }),
    );
    assert_eq!(
        old.kind,
        FaultKind::Throttle {
            retry_after: Some(2)
        }
    );
    let bare = fault(json!({ "kind": { "throttle": {} } }));
    assert_eq!(bare.kind, FaultKind::Throttle { retry_after: None });
    assert_eq!(
        (bare.method, bare.path_contains, bare.count),
        (None, None, None)
    );
    assert!(fault(json!({ "kind": "reset", "rate": 1.5 }))
        .validate()
        .is_err());
    assert!(serde_json::from_value::<Fault>(json!({ "kind": "reset", "cuont": 1 })).is_err());
}

#[test]
fn latency_adds_up_and_the_first_other_fault_wins() {
    let mut registry = FaultRegistry::default();
    registry.add(fault(json!({ "kind": { "latency": { "ms": 30 } } })));
    registry.add(fault(
        json!({ "kind": "unavailable", "pathContains": "/v1.0/", "count": 1 }),
    ));
    registry.add(fault(json!({ "kind": "serverError", "count": 1 })));
    let plan = registry.plan("GET", "/v1.0/me", Scope::Exchange);
    assert_eq!(plan.delay, Duration::from_millis(30));
    assert_eq!(plan.fault, Some(FaultKind::Unavailable));
    // The server error was not consumed by the request the 503 answered.
    let plan = registry.plan("GET", "/v1.0/me", Scope::Exchange);
    assert_eq!(plan.fault, Some(FaultKind::ServerError));
    assert_eq!(
        registry.plan("GET", "/v1.0/me", Scope::Exchange).fault,
        None
    );
    assert_eq!(registry.injected()["latency"], 3);
    assert_eq!(registry.injected()["unavailable"], 1);
}

#[test]
fn batch_items_see_only_status_faults() {
    let mut registry = FaultRegistry::default();
    registry.add(fault(json!({ "kind": { "latency": { "ms": 30 } } })));
    registry.add(fault(json!({ "kind": "reset", "count": 1 })));
    registry.add(fault(json!({ "kind": "gatewayTimeout", "count": 1 })));
    let plan = registry.plan("GET", "/v1.0/x", Scope::BatchItem);
    assert_eq!(
        plan,
        Plan {
            delay: Duration::ZERO,
            fault: Some(FaultKind::GatewayTimeout)
        }
    );
}

#[test]
fn a_rate_is_reproducible_from_its_seed_and_near_its_value() {
    let hits = |seed: u64| {
        let mut registry = FaultRegistry::default();
        registry.add(fault(
            json!({ "kind": "serverError", "rate": 0.25, "seed": seed }),
        ));
        (0..400)
            .map(|_| {
                registry
                    .plan("GET", "/v1.0/x", Scope::Exchange)
                    .fault
                    .is_some()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(hits(7), hits(7));
    assert_ne!(hits(7), hits(8));
    let count = hits(7).iter().filter(|h| **h).count();
    assert!((60..=140).contains(&count), "{count} of 400 at rate 0.25");
}

#[test]
fn a_rate_and_a_count_together_stop_at_the_count() {
    let mut registry = FaultRegistry::default();
    registry.add(fault(
        json!({ "kind": "reset", "rate": 0.5, "count": 3, "method": "get" }),
    ));
    let fired = (0..200)
        .filter(|_| registry.plan("GET", "/x", Scope::Exchange).fault.is_some())
        .count();
    assert_eq!(fired, 3);
    assert_eq!(registry.plan("POST", "/x", Scope::Exchange).fault, None);
}
