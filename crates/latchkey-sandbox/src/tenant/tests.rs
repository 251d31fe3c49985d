use super::*;

#[test]
fn built_in_demo_tenant_loads_with_relative_times_resolved() {
    let now = Utc::now();
    let tenant = Tenant::from_json(DEMO_TENANT_JSON, now).expect("demo tenant loads");
    assert!(tenant.users.len() >= 6);
    assert!(tenant.groups.len() >= 10);
    let ada = tenant
        .user_by_upn("ADA@fabrikam.example")
        .expect("ada exists");
    let adas: Vec<_> = tenant
        .group_eligibilities
        .iter()
        .filter(|e| e.principal_id == ada.id)
        .collect();
    assert_eq!(adas.len(), 5);
    let soon = adas.iter().filter_map(|e| e.end).min().expect("some end");
    assert_eq!(soon, now + chrono::Duration::days(5));
    assert!(adas
        .iter()
        .any(|e| e.end.is_none() && e.access_id == "owner"));

    let prod_db = tenant
        .groups
        .iter()
        .find(|g| g.display_name == "Prod DB Admins")
        .unwrap();
    let policy = tenant.group_policy(&prod_db.id, "Member");
    assert_eq!(policy.max_duration, chrono::Duration::hours(4));
    assert!(policy.require_ticket && policy.require_justification && !policy.require_mfa);
    assert_eq!(policy.approval.as_ref().unwrap().approvers.len(), 2);
    assert_eq!(tenant.group_policy(&prod_db.id, "owner").key, "standard");
    assert_eq!(
        policy.guid,
        guid_from("production-db"),
        "stable across loads"
    );
}

#[test]
fn unknown_references_and_bad_durations_are_reported() {
    let base = |elig: &str| {
        format!(
            r#"{{"tenant":{{"id":"t","displayName":"T","domain":"t.example"}},
            "users":[{{"key":"u","id":"1","userPrincipalName":"u@t","displayName":"U"}}],
            "groups":[{{"key":"g","id":"2","displayName":"G"}}],
            "groupEligibilities":[{elig}]}}"#
        )
    };
    let now = Utc::now();
    let err = Tenant::from_json(
        &base(r#"{"id":"e","principal":"nobody","group":"g","accessId":"member","start":null,"end":null}"#),
        now,
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown user 'nobody'"), "{err}");
    let err = Tenant::from_json(
        &base(r#"{"id":"e","principal":"u","group":"g","accessId":"member","start":"soon","end":null}"#),
        now,
    )
    .unwrap_err();
    assert!(err.to_string().contains("'soon'"), "{err}");
}

#[test]
fn demo_tenant_has_directory_roles_scoped_eligibilities_and_role_policies() {
    let now = Utc::now();
    let tenant = Tenant::demo(now);
    let roles = &tenant.directory_roles;
    assert!(roles.definitions.len() >= 10);
    let exchange = "29232cdf-9323-42fd-ade2-1d097af3e4de";
    assert_eq!(
        roles
            .definition(&exchange.to_ascii_uppercase())
            .unwrap()
            .display_name,
        "Exchange Administrator"
    );
    let berlin = roles
        .administrative_units
        .iter()
        .find(|u| u.display_name == "Berlin office")
        .unwrap();
    let ada = tenant.user_by_upn("ada@fabrikam.example").unwrap();
    let adas: Vec<_> = roles
        .eligibilities
        .iter()
        .filter(|e| e.principal_id == ada.id)
        .collect();
    assert!(adas.len() >= 6);
    let scoped = adas
        .iter()
        .find(|e| e.role_definition_id == "fe930be7-5e62-47db-91af-98c3a49a38b1")
        .unwrap();
    assert_eq!(
        scoped.directory_scope_id,
        format!("/administrativeUnits/{}", berlin.id)
    );
    assert_eq!(
        roles.scope_unit(&scoped.directory_scope_id).unwrap().id,
        berlin.id
    );
    assert!(adas
        .iter()
        .any(|e| e.end == Some(now + chrono::Duration::days(3))));

    let policy = tenant.role_policy(&exchange.to_ascii_uppercase());
    assert_eq!(policy.max_duration, chrono::Duration::hours(4));
    assert!(policy.require_ticket && policy.approval.is_some());
    assert_eq!(
        tenant
            .role_policy("f2ef992c-3afb-46b9-b7cf-a126ee74c451")
            .key,
        "standard",
        "roles not listed use defaultRolePolicy"
    );
}

#[test]
fn role_eligibilities_must_name_known_roles_and_units() {
    let file = |elig: &str| {
        format!(
            r#"{{"tenant":{{"id":"t","displayName":"T","domain":"t.example"}},
            "users":[{{"key":"u","id":"1","userPrincipalName":"u@t","displayName":"U"}}],
            "roleDefinitions":[{{"key":"r","id":"2","displayName":"R"}}],
            "roleEligibilities":[{elig}]}}"#
        )
    };
    let now = Utc::now();
    let err = Tenant::from_json(
        &file(r#"{"id":"e","principal":"u","role":"nope","start":null,"end":null}"#),
        now,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown role definition 'nope'"),
        "{err}"
    );
    let err = Tenant::from_json(
        &file(r#"{"id":"e","principal":"u","role":"r","administrativeUnit":"x","start":null,"end":null}"#),
        now,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown administrative unit 'x'"),
        "{err}"
    );
}

#[test]
fn azure_roles_load_with_scopes_groups_and_inherited_policies() {
    let tenant = Tenant::demo(Utc::now());
    let ada = tenant.user_by_upn("ada@fabrikam.example").unwrap();
    let adas: Vec<_> = tenant
        .azure
        .eligibilities
        .iter()
        .filter(|e| e.principal_id == ada.id)
        .collect();
    assert_eq!(adas.len(), 6);
    assert_eq!(adas.iter().filter(|e| e.via_group.is_some()).count(), 1);
    let rg = "/subscriptions/5f1c2a3e-8b7d-4c9e-a1f2-3d4e5f607182/resourceGroups/RG-PAYMENTS-PROD";
    let info = tenant.azure.scope_info(rg).unwrap();
    assert_eq!(
        (info.display_name.as_str(), info.kind),
        ("rg-payments-prod", "resourcegroup")
    );
    let reader = "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-485e-8ef8-5be8c8a79cc1";
    assert_eq!(
        tenant.azure_policy(rg, reader).key,
        "open",
        "follows the subscription"
    );
    let contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    assert_eq!(
        tenant.azure_policy(rg, contributor).key,
        "azure-contributor"
    );
    assert_eq!(
        tenant
            .azure_policy(
                &rg.replace("PAYMENTS", "data"),
                "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
            )
            .key,
        "role-mfa"
    );
    assert!(tenant.azure.scope_info("/subscriptions/nope").is_none());
    assert!(is_within(
        rg,
        "/subscriptions/5F1C2A3E-8b7d-4c9e-a1f2-3d4e5f607182"
    ));
    assert!(!is_within("/subscriptions/ab", "/subscriptions/a"));
}
