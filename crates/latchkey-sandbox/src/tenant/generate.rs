//! Generated tenants for benchmarks and load tests: one signed-in user with `n` eligibilities,
//! half on groups and half on directory roles (roles × administrative units, as large tenants
//! scope them), under a handful of varied policies. Deterministic from a seed, and written in
//! the tenant-file format, so the same tenant can be saved and served with `--data`.

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::{guid_from, Tenant};

/// Sign-in name of the user who holds every generated eligibility.
pub const GENERATED_USER: &str = "ada@bench.example";
/// Sign-in name of the approver of the policies that need approval.
pub const GENERATED_APPROVER: &str = "grace@bench.example";
/// Directory roles a generated tenant uses at most; the rest of the role eligibilities come
/// from scoping them to administrative units (Entra has about 100 built-in roles).
const MAX_ROLES: usize = 50;

/// The policies generated eligibilities are spread over; the first needs nothing but a
/// justification, so every tenant has something a benchmark can activate at once.
fn policies() -> Value {
    json!([
        { "key": "quick", "maxDuration": "PT1H", "require": ["Justification"] },
        { "key": "standard", "maxDuration": "PT8H", "require": ["Justification"] },
        { "key": "ticketed", "maxDuration": "PT4H", "require": ["Justification", "Ticketing"] },
        { "key": "mfa", "maxDuration": "PT2H", "require": ["MultiFactorAuthentication"] },
        { "key": "approval", "maxDuration": "PT4H", "require": ["Justification"],
          "approval": { "approvers": ["grace"], "approverJustificationRequired": true } },
        { "key": "context", "maxDuration": "PT1H", "authenticationContext": "c1" },
    ])
}

const POLICY_KEYS: [&str; 6] = [
    "quick", "standard", "ticketed", "mfa", "approval", "context",
];

/// A policy key for the `index`-th subject; the first is always `quick`.
fn pick_policy(rng: &mut StdRng, index: usize) -> &'static str {
    if index == 0 {
        "quick"
    } else {
        POLICY_KEYS[rng.gen_range(0..POLICY_KEYS.len())]
    }
}

/// Start and end offsets of an eligibility: most end in months, some never.
fn window(rng: &mut StdRng) -> (Value, Value) {
    let start = json!(format!("-P{}D", rng.gen_range(1..400)));
    let end = if rng.gen_bool(0.3) {
        Value::Null
    } else {
        json!(format!("P{}D", rng.gen_range(30..365)))
    };
    (start, end)
}

fn groups_part(rng: &mut StdRng, seed: u64, count: usize) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let (mut groups, mut eligibilities, mut policies) = (vec![], vec![], vec![]);
    for i in 0..count {
        let key = format!("group-{i:04}");
        // Every fifth eligibility is an ownership, the rest memberships, one per group.
        let access = if i % 5 == 4 { "owner" } else { "member" };
        groups.push(json!({
            "key": key, "id": guid_from(&format!("{seed}-{key}")),
            "displayName": format!("Team {i:04} {}", ["Admins", "Operators", "Readers", "On-call"][i % 4]),
            "description": format!("Generated group {i}"),
        }));
        let (start, end) = window(rng);
        eligibilities.push(json!({
            "id": guid_from(&format!("{seed}-ge-{i}")), "principal": "ada", "group": key,
            "accessId": access, "start": start, "end": end,
        }));
        policies.push(json!({ "group": key, "accessId": access, "policy": pick_policy(rng, i) }));
    }
    (groups, eligibilities, policies)
}

/// Role definitions, administrative units, role eligibilities and role policies.
fn roles_part(rng: &mut StdRng, seed: u64, count: usize) -> [Vec<Value>; 4] {
    let scopes = count.div_ceil(MAX_ROLES).max(1);
    let roles = count.div_ceil(scopes);
    let definitions: Vec<Value> = (0..roles)
        .map(|r| {
            json!({
                "key": format!("role-{r:03}"), "id": guid_from(&format!("{seed}-role-{r}")),
                "displayName": format!("Generated Role {r:03} Administrator"),
                "description": format!("Generated directory role {r}"),
            })
        })
        .collect();
    // Scope 0 is the whole directory; the others are administrative units.
    let units: Vec<Value> = (1..scopes)
        .map(|u| {
            json!({
                "key": format!("au-{u:03}"), "id": guid_from(&format!("{seed}-au-{u}")),
                "displayName": format!("Region {u:03}"),
            })
        })
        .collect();
    let mut eligibilities = Vec::with_capacity(count);
    for i in 0..count {
        let (role, scope) = (i % roles, i / roles);
        let (start, end) = window(rng);
        let mut record = json!({
            "id": guid_from(&format!("{seed}-re-{i}")), "principal": "ada",
            "role": format!("role-{role:03}"), "start": start, "end": end,
        });
        if scope > 0 {
            record["administrativeUnit"] = json!(format!("au-{scope:03}"));
        }
        eligibilities.push(record);
    }
    let policies = (0..roles)
        .map(|r| json!({ "role": format!("role-{r:03}"), "policy": pick_policy(rng, r) }))
        .collect();
    [definitions, units, eligibilities, policies]
}

/// A tenant file (JSON) where [`GENERATED_USER`] holds `eligibilities` eligibilities.
pub fn generate_json(eligibilities: usize, seed: u64) -> Value {
    let mut rng = StdRng::seed_from_u64(seed);
    let role_count = eligibilities / 2;
    let (groups, group_eligibilities, group_policies) =
        groups_part(&mut rng, seed, eligibilities - role_count);
    let [role_definitions, administrative_units, role_eligibilities, role_policies] =
        roles_part(&mut rng, seed, role_count);
    json!({
        "$comment": format!("Generated by latchkey-sandbox: {eligibilities} eligibilities, seed {seed}."),
        "tenant": {
            "id": guid_from(&format!("{seed}-tenant")),
            "displayName": format!("Generated tenant ({eligibilities} eligibilities)"),
            "domain": "bench.example",
        },
        "applications": [{
            "clientId": crate::DEMO_CLIENT_ID, "displayName": "Latchkey",
            "publicClient": true, "redirectUris": ["http://localhost"],
        }],
        "users": [
            { "key": "ada", "id": guid_from(&format!("{seed}-ada")), "userPrincipalName": GENERATED_USER,
              "displayName": "Ada Okafor", "jobTitle": "Site reliability engineer" },
            { "key": "grace", "id": guid_from(&format!("{seed}-grace")), "userPrincipalName": GENERATED_APPROVER,
              "displayName": "Grace Liu", "jobTitle": "Identity administrator" },
        ],
        "groups": groups,
        "groupEligibilities": group_eligibilities,
        "policies": policies(),
        "defaultGroupPolicy": "standard",
        "groupPolicies": group_policies,
        "roleDefinitions": role_definitions,
        "administrativeUnits": administrative_units,
        "roleEligibilities": role_eligibilities,
        "defaultRolePolicy": "standard",
        "rolePolicies": role_policies,
    })
}

impl Tenant {
    /// A generated tenant (see [`generate_json`]), relative times resolved against `now`.
    pub fn generate(eligibilities: usize, seed: u64, now: DateTime<Utc>) -> Self {
        let text = generate_json(eligibilities, seed).to_string();
        // The generator's output is covered by unit tests, so loading it cannot fail.
        Self::from_json(&text, now).unwrap_or_else(|e| panic!("generated tenant: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tenants_have_the_asked_size_and_are_deterministic() {
        let now = Utc::now();
        for n in [0, 1, 20, 200, 2000] {
            let tenant = Tenant::generate(n, 7, now);
            let held =
                tenant.group_eligibilities.len() + tenant.directory_roles.eligibilities.len();
            assert_eq!(held, n);
            assert!(tenant.directory_roles.definitions.len() <= MAX_ROLES);
        }
        assert_eq!(generate_json(200, 7), generate_json(200, 7));
        assert_ne!(generate_json(200, 7), generate_json(200, 8));
        let tenant = Tenant::generate(200, 7, now);
        assert!(tenant.user_by_upn(GENERATED_USER).is_some());
        let first = &tenant.groups[0];
        assert_eq!(tenant.group_policy(&first.id, "member").key, "quick");
        let keys: std::collections::BTreeSet<_> = tenant
            .group_policies
            .iter()
            .map(|gp| gp.policy_key.as_str())
            .collect();
        assert!(keys.len() >= 4, "policies are varied: {keys:?}");
    }
}
