//! The operations the property test draws, weighted so that most of them do something (fit a
//! policy, hit an active assignment, come from an approver) and some probe the edges.

use proptest::prelude::*;

/// One thing that happens to the tenant. Indices pick from the tenant's lists modulo their length.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Activate {
        eligibility: usize,
        /// Someone else tries the same target (usually not eligible).
        impostor: Option<usize>,
        minutes: i64,
        justification: bool,
        ticket: bool,
        mfa: bool,
        acrs: bool,
        start_in_minutes: Option<i64>,
    },
    /// Deactivates one of the current activations (or, with none, something never activated).
    Deactivate {
        active: usize,
    },
    Cancel {
        request: usize,
        by_owner: bool,
        user: usize,
    },
    Decide {
        request: usize,
        by: Decider,
        approve: bool,
        justification: bool,
    },
    Advance {
        minutes: i64,
    },
    Disable {
        user: usize,
    },
    RemoveEligibility {
        eligibility: usize,
    },
}

/// Who answers an approval: mostly one of its approvers, sometimes its requester or anyone.
#[derive(Debug, Clone)]
pub(super) enum Decider {
    Approver(usize),
    Requester,
    Anyone(usize),
}

fn decider() -> impl Strategy<Value = Decider> {
    prop_oneof![
        6 => (0usize..8).prop_map(Decider::Approver),
        1 => Just(Decider::Requester),
        2 => (0usize..64).prop_map(Decider::Anyone),
    ]
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let index = 0usize..64;
    prop_oneof![
        // Most durations fit a policy (1 to 8 hours); some are over every maximum.
        5 => (index.clone(), prop::option::weighted(0.15, 0usize..64),
              prop_oneof![3 => 5i64..=60, 2 => 60i64..=480, 1 => 480i64..=1500],
              prop::bool::weighted(0.85), prop::bool::weighted(0.85), prop::bool::weighted(0.8),
              prop::bool::weighted(0.8), prop::option::weighted(0.2, 1i64..=600))
            .prop_map(|(eligibility, impostor, minutes, justification, ticket, mfa, acrs, start_in_minutes)| {
                Op::Activate { eligibility, impostor, minutes, justification, ticket, mfa, acrs, start_in_minutes }
            }),
        2 => index.clone().prop_map(|active| Op::Deactivate { active }),
        1 => (index.clone(), prop::bool::weighted(0.8), index.clone())
            .prop_map(|(request, by_owner, user)| Op::Cancel { request, by_owner, user }),
        3 => (index.clone(), decider(), prop::bool::weighted(0.7), prop::bool::weighted(0.8))
            .prop_map(|(request, by, approve, justification)| Op::Decide { request, by, approve, justification }),
        // Minutes (around the 5-minute deactivation floor) to 25 hours (past the approval window).
        3 => prop_oneof![3 => 1i64..=10, 2 => 10i64..=240, 1 => 240i64..=1500].prop_map(|minutes| Op::Advance { minutes }),
        1 => index.clone().prop_map(|user| Op::Disable { user }),
        1 => index.prop_map(|eligibility| Op::RemoveEligibility { eligibility }),
    ]
}
