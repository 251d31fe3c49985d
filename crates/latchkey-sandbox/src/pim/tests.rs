use super::*;

struct World {
    tenant: Tenant,
    pim: Pim,
    now: DateTime<Utc>,
}

fn world() -> World {
    let now = Utc::now();
    World {
        tenant: Tenant::demo(now),
        pim: Pim::default(),
        now,
    }
}

impl World {
    fn user(&self, upn: &str) -> Caller {
        Caller {
            user_id: self.tenant.user_by_upn(upn).unwrap().id.clone(),
            mfa: false,
            acrs: vec![],
        }
    }

    fn target(&self, group: &str, access: &str) -> Target {
        let id = self
            .tenant
            .groups
            .iter()
            .find(|g| g.display_name == group)
            .unwrap()
            .id
            .clone();
        Target::Group {
            group_id: id,
            access_id: access.to_owned(),
        }
    }

    fn submit(&mut self, caller: &Caller, new: NewRequest) -> Result<Request, PimError> {
        self.pim.submit(&self.tenant, caller, new, self.now)
    }
}

fn activate(caller: &Caller, target: Target, duration: Duration) -> NewRequest {
    NewRequest {
        id: None,
        action: Action::SelfActivate,
        principal_id: caller.user_id.clone(),
        target,
        justification: Some("Rotate the replication credentials".into()),
        ticket_number: Some("INC-42".into()),
        ticket_system: Some("ServiceNow".into()),
        requested_start: None,
        expiration: Some(Expiration {
            kind: "afterDuration".into(),
            duration: Some(duration),
            duration_text: None,
            end: None,
        }),
        is_validation_only: false,
    }
}

fn deactivate(caller: &Caller, target: Target) -> NewRequest {
    NewRequest {
        id: None,
        action: Action::SelfDeactivate,
        expiration: None,
        ..activate(caller, target, Duration::zero())
    }
}

#[test]
fn an_open_policy_activates_at_once_and_the_activation_ends_on_time() {
    let mut w = world();
    let ada = w.user("ada@fabrikam.example");
    let oncall = w.target("On-call Responders", "member");
    let request = w
        .submit(&ada, activate(&ada, oncall.clone(), Duration::hours(2)))
        .unwrap();
    assert_eq!(request.status, Status::Provisioned);
    assert_eq!(request.start, Some(w.now));
    let active = w.pim.activation(&ada.user_id, &oncall).unwrap();
    assert_eq!(active.end, w.now + Duration::hours(2));

    assert_eq!(
        w.submit(&ada, activate(&ada, oncall.clone(), Duration::hours(1)))
            .unwrap_err(),
        PimError::RoleAssignmentExists
    );
    w.pim.sweep(w.now + Duration::hours(2));
    assert!(
        w.pim.activation(&ada.user_id, &oncall).is_none(),
        "gone at endDateTime"
    );
}

#[test]
fn deactivation_needs_five_minutes_and_an_active_assignment() {
    let mut w = world();
    let ada = w.user("ada@fabrikam.example");
    let oncall = w.target("On-call Responders", "member");
    assert_eq!(
        w.submit(&ada, deactivate(&ada, oncall.clone()))
            .unwrap_err(),
        PimError::RoleAssignmentDoesNotExist
    );
    w.submit(&ada, activate(&ada, oncall.clone(), Duration::hours(1)))
        .unwrap();
    w.now += Duration::minutes(4);
    assert_eq!(
        w.submit(&ada, deactivate(&ada, oncall.clone()))
            .unwrap_err(),
        PimError::ActiveDurationTooShort
    );
    w.now += Duration::minutes(1);
    let revoked = w.submit(&ada, deactivate(&ada, oncall.clone())).unwrap();
    assert_eq!(revoked.status, Status::Revoked);
    assert!(w.pim.activation(&ada.user_id, &oncall).is_none());
}

#[test]
fn policy_rules_fail_together_in_pims_order() {
    let mut w = world();
    let ada = w.user("ada@fabrikam.example");
    let prod = w.target("Prod DB Admins", "member");
    let mut bare = activate(&ada, prod.clone(), Duration::hours(5));
    bare.justification = Some("   ".into());
    bare.ticket_number = None;
    assert_eq!(
        w.submit(&ada, bare).unwrap_err(),
        PimError::PolicyValidationFailed(vec![
            "ExpirationRule",
            "JustificationRule",
            "TicketingRule"
        ])
    );
    let mut no_expiry = activate(&ada, prod, Duration::hours(1));
    no_expiry.expiration = None;
    assert_eq!(
        w.submit(&ada, no_expiry).unwrap_err(),
        PimError::PolicyValidationFailed(vec!["ExpirationRule"])
    );
}

#[test]
fn only_eligible_principals_may_activate_and_only_for_themselves() {
    let mut w = world();
    let ben = w.user("ben@fabrikam.example");
    let ada = w.user("ada@fabrikam.example");
    let k8s = w.target("Kubernetes Cluster Admins", "member");
    assert_eq!(
        w.submit(&ben, activate(&ben, k8s.clone(), Duration::hours(1)))
            .unwrap_err(),
        PimError::PolicyValidationFailed(vec!["EligibilityRule"])
    );
    assert!(matches!(
        w.submit(&ben, activate(&ada, k8s, Duration::hours(1))),
        Err(PimError::Forbidden(_))
    ));
}

#[test]
fn mfa_and_authentication_context_are_read_from_the_token() {
    let mut w = world();
    let mut ada = w.user("ada@fabrikam.example");
    let payments = w.target("Payments Console Admins", "member");
    assert_eq!(
        w.submit(
            &ada,
            activate(&ada, payments.clone(), Duration::minutes(30))
        )
        .unwrap_err(),
        PimError::PolicyValidationFailed(vec!["MfaRule"])
    );
    let k8s = w.target("Kubernetes Cluster Admins", "member");
    assert_eq!(
        w.submit(&ada, activate(&ada, k8s.clone(), Duration::hours(1)))
            .unwrap_err(),
        PimError::AcrsValidationFailed {
            claim_value: "c1".into()
        }
    );
    ada.mfa = true;
    ada.acrs = vec!["c1".into()];
    assert_eq!(
        w.submit(&ada, activate(&ada, payments, Duration::minutes(30)))
            .unwrap()
            .status,
        Status::Provisioned
    );
    assert_eq!(
        w.submit(&ada, activate(&ada, k8s, Duration::hours(1)))
            .unwrap()
            .status,
        Status::Provisioned
    );
}

#[test]
fn approval_first_decision_wins_and_nobody_approves_their_own_request() {
    let mut w = world();
    let ada = w.user("ada@fabrikam.example");
    let chloe = w.user("chloe@fabrikam.example");
    let elena = w.user("elena@fabrikam.example");
    let dmitri = w.user("dmitri@fabrikam.example");
    let prod = w.target("Prod DB Admins", "member");
    let request = w
        .submit(&ada, activate(&ada, prod.clone(), Duration::hours(2)))
        .unwrap();
    assert_eq!(request.status, Status::PendingApproval);
    assert!(
        w.pim.activation(&ada.user_id, &prod).is_none(),
        "nothing active before approval"
    );
    assert_eq!(
        w.submit(&ada, activate(&ada, prod.clone(), Duration::hours(1)))
            .unwrap_err(),
        PimError::PendingRoleAssignmentRequest
    );
    let stage = request.approval.as_ref().unwrap().stage_id.clone();
    let decide = |w: &mut World, who: &Caller, approve: bool, why: &str| {
        w.pim
            .decide(&request.id, &stage, who, approve, why.to_owned(), w.now)
    };
    assert!(matches!(
        decide(&mut w, &dmitri, true, "ok"),
        Err(PimError::Forbidden(_))
    ));
    assert!(
        matches!(
            decide(&mut w, &chloe, true, " "),
            Err(PimError::BadRequest(_))
        ),
        "justification required"
    );
    w.now += Duration::minutes(10);
    decide(&mut w, &chloe, true, "Change CHG-7 approved").unwrap();
    assert!(matches!(
        decide(&mut w, &elena, false, "too late"),
        Err(PimError::Conflict(_))
    ));
    let stored = w.pim.request(&request.id).unwrap();
    assert_eq!(stored.status, Status::Provisioned);
    let active = w.pim.activation(&ada.user_id, &prod).unwrap();
    assert_eq!(
        (active.start, active.end),
        (w.now, w.now + Duration::hours(2)),
        "the clock starts at approval"
    );

    // An approver who asks for access cannot approve it themselves.
    let mut own = w.pim.requests[0].clone();
    own.id = "own".into();
    own.principal_id = chloe.user_id.clone();
    own.status = Status::PendingApproval;
    own.approval.as_mut().unwrap().decision = None;
    w.pim.requests.push(own);
    assert!(matches!(
        w.pim.decide("own", &stage, &chloe, true, "me".into(), w.now),
        Err(PimError::Forbidden(m)) if m.contains("own")
    ));
}

#[test]
fn unanswered_approvals_time_out_after_24_hours_and_denials_stick() {
    let mut w = world();
    let ada = w.user("ada@fabrikam.example");
    let ben = w.user("ben@fabrikam.example");
    let chloe = w.user("chloe@fabrikam.example");
    let prod = w.target("Prod DB Admins", "member");
    let first = w
        .submit(&ada, activate(&ada, prod.clone(), Duration::hours(1)))
        .unwrap();
    let second = w
        .submit(&ben, activate(&ben, prod.clone(), Duration::hours(1)))
        .unwrap();
    let stage = second.approval.as_ref().unwrap().stage_id.clone();
    w.pim
        .decide(
            &second.id,
            &stage,
            &chloe,
            false,
            "Use the read replica".into(),
            w.now,
        )
        .unwrap();
    w.pim.sweep(w.now + Duration::hours(24));
    assert_eq!(w.pim.request(&first.id).unwrap().status, Status::TimedOut);
    assert_eq!(w.pim.request(&second.id).unwrap().status, Status::Denied);
    let first_stage = first.approval.as_ref().unwrap().stage_id.clone();
    assert!(matches!(
        w.pim.decide(
            &first.id,
            &first_stage,
            &chloe,
            true,
            "late".into(),
            w.now + Duration::hours(25)
        ),
        Err(PimError::Conflict(_))
    ));
}

#[test]
fn a_future_start_is_granted_then_provisioned_and_can_be_canceled_before() {
    let mut w = world();
    let ada = w.user("ada@fabrikam.example");
    let oncall = w.target("On-call Responders", "member");
    let mut later = activate(&ada, oncall.clone(), Duration::hours(1));
    later.requested_start = Some(w.now + Duration::hours(3));
    let granted = w.submit(&ada, later.clone()).unwrap();
    assert_eq!(granted.status, Status::Granted);
    assert!(w.pim.activation(&ada.user_id, &oncall).is_none());
    w.pim.sweep(w.now + Duration::hours(3));
    assert_eq!(
        w.pim.request(&granted.id).unwrap().status,
        Status::Provisioned
    );
    assert!(w.pim.activation(&ada.user_id, &oncall).is_some());
    assert!(matches!(
        w.pim.cancel(&granted.id, &ada, w.now),
        Err(PimError::BadRequest(_))
    ));

    let platform = w.target("Platform Engineers", "owner");
    let mut later = activate(&ada, platform.clone(), Duration::hours(1));
    later.requested_start = Some(w.now + Duration::hours(1));
    let granted = w.submit(&ada, later).unwrap();
    w.pim.cancel(&granted.id, &ada, w.now).unwrap();
    assert_eq!(w.pim.request(&granted.id).unwrap().status, Status::Canceled);
    w.pim.sweep(w.now + Duration::hours(2));
    assert!(
        w.pim.activation(&ada.user_id, &platform).is_none(),
        "a canceled request never starts"
    );
}

#[test]
fn validation_only_requests_change_nothing() {
    let mut w = world();
    let ada = w.user("ada@fabrikam.example");
    let oncall = w.target("On-call Responders", "member");
    let mut dry = activate(&ada, oncall.clone(), Duration::hours(1));
    dry.is_validation_only = true;
    assert_eq!(w.submit(&ada, dry).unwrap().status, Status::Provisioned);
    assert!(w.pim.requests.is_empty());
    assert!(w.pim.activation(&ada.user_id, &oncall).is_none());
}

fn role(id: &str, scope: &str) -> Target {
    Target::DirectoryRole {
        role_definition_id: id.to_owned(),
        directory_scope_id: scope.to_owned(),
    }
}

#[test]
fn directory_roles_follow_the_same_rules_and_keep_their_scope() {
    let mut w = world();
    let ada = w.user("ada@fabrikam.example");
    let global_reader = "F2EF992C-3AFB-46B9-B7CF-A126EE74C451";
    let request = w
        .submit(
            &ada,
            activate(&ada, role(global_reader, "/"), Duration::hours(8)),
        )
        .unwrap();
    assert_eq!(request.status, Status::Provisioned);
    assert_eq!(request.target.schedule_id(&request.id), request.id);
    let active = w.pim.activation(&ada.user_id, &role(global_reader, "/"));
    assert_eq!(active.map(|a| a.id.as_str()), Some(request.id.as_str()));
    assert_eq!(
        w.submit(
            &ada,
            activate(&ada, role(global_reader, "/"), Duration::hours(1))
        )
        .unwrap_err(),
        PimError::RoleAssignmentExists
    );

    // User Administrator is eligible in the Berlin AU only, not tenant-wide.
    let user_admin = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    let berlin = w.tenant.directory_roles.administrative_units[0].id.clone();
    assert_eq!(
        w.submit(
            &ada,
            activate(&ada, role(user_admin, "/"), Duration::hours(1))
        )
        .unwrap_err(),
        PimError::PolicyValidationFailed(vec!["EligibilityRule"])
    );
    let scoped = role(user_admin, &format!("/administrativeUnits/{berlin}"));
    assert_eq!(
        w.submit(&ada, activate(&ada, scoped.clone(), Duration::hours(2)))
            .unwrap_err(),
        PimError::PolicyValidationFailed(vec!["ExpirationRule"]),
        "1 hour at most"
    );
    w.submit(&ada, activate(&ada, scoped, Duration::hours(1)))
        .unwrap();

    // A group activation and a role activation never collide.
    let oncall = w.target("On-call Responders", "member");
    assert!(!oncall.same(&role(global_reader, "/")));
    w.submit(&ada, activate(&ada, oncall, Duration::hours(1)))
        .unwrap();
    assert_eq!(w.pim.activations.len(), 3);
}
