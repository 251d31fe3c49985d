//! Fault injection for tests, soak runs and benchmarks: on chosen routes (or every route), add
//! latency, refuse with throttling or server errors, drop the connection, or spoil the answer
//! after the request was processed (a lost, truncated, malformed or slow response: the change
//! happened but the client may never hear so). Faults fire on a count of matching requests, on
//! a rate drawn from a seeded RNG (reproducible runs), or on every matching request.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub mod connection;
mod middleware;

pub use middleware::apply;
pub(crate) use middleware::take_for_batch_item;

/// What to do to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FaultKind {
    /// Waits `ms`, then processes the request normally (a round-trip time for benchmarks).
    Latency { ms: u64 },
    /// 429 before processing, with `Retry-After` (seconds) when given — identity-tier
    /// services omit it, so `{"throttle": {}}` sends none.
    Throttle {
        #[serde(default)]
        retry_after: Option<u32>,
    },
    /// 503, before processing.
    Unavailable,
    /// 500 with Graph's error envelope, before processing.
    ServerError,
    /// 504, before processing.
    GatewayTimeout,
    /// Processed, then 504: the client cannot know the outcome.
    LoseResponse,
    /// The connection is closed (RST) without an answer, before processing.
    Reset,
    /// Processed; the body is cut in the middle and the connection dropped.
    Truncated,
    /// Processed; 200 with an HTML page instead of JSON (a proxy's error page).
    Malformed,
    /// Processed; headers at once, the body trickled out over `ms`.
    SlowBody { ms: u64 },
}

impl FaultKind {
    /// The name used in counters (`GET /_sandbox/faults`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Latency { .. } => "latency",
            Self::Throttle { .. } => "throttle",
            Self::Unavailable => "unavailable",
            Self::ServerError => "serverError",
            Self::GatewayTimeout => "gatewayTimeout",
            Self::LoseResponse => "loseResponse",
            Self::Reset => "reset",
            Self::Truncated => "truncated",
            Self::Malformed => "malformed",
            Self::SlowBody { .. } => "slowBody",
        }
    }

    /// Whether the fault acts on the HTTP exchange itself. A `$batch` sub-request is not an
    /// exchange of its own, so only status-code faults apply to it.
    fn is_transport(self) -> bool {
        matches!(
            self,
            Self::Latency { .. }
                | Self::Reset
                | Self::Truncated
                | Self::Malformed
                | Self::SlowBody { .. }
        )
    }
}

/// A fault as registered with `POST /_sandbox/faults`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// HTTP method to match (case-insensitive); absent matches every method.
    #[serde(default)]
    pub method: Option<String>,
    /// Substring of the path to match; absent matches every route (Graph, identity, ARM).
    #[serde(default)]
    pub path_contains: Option<String>,
    pub kind: FaultKind,
    /// How many times it fires; absent means no limit.
    #[serde(default)]
    pub count: Option<u32>,
    /// Chance (0.0–1.0) that a matching request is hit; absent means every one.
    #[serde(default)]
    pub rate: Option<f64>,
    /// Seed of the RNG behind `rate`; the same seed gives the same hit sequence.
    #[serde(default)]
    pub seed: Option<u64>,
}

impl Fault {
    /// Checks the fields a schema cannot.
    pub fn validate(&self) -> Result<(), String> {
        match self.rate {
            Some(rate) if !(0.0..=1.0).contains(&rate) => {
                Err(format!("rate must be between 0.0 and 1.0, not {rate}"))
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// Where a request is being served: as its own HTTP exchange, or inside a `$batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Exchange,
    BatchItem,
}

/// What the registered faults decided for one request.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Sum of every matching latency fault that fired.
    pub delay: Duration,
    /// The first other fault that fired.
    pub fault: Option<FaultKind>,
}

#[derive(Debug)]
struct Registered {
    fault: Fault,
    remaining: Option<u32>,
    rng: StdRng,
}

impl Registered {
    /// Whether it fires on this request; consumes a use (and a random draw) only when it may.
    fn fires(&mut self) -> bool {
        if self.remaining == Some(0) {
            return false;
        }
        let hit = self.fault.rate.is_none_or(|rate| self.rng.gen_bool(rate));
        if hit {
            if let Some(left) = &mut self.remaining {
                *left -= 1;
            }
        }
        hit
    }
}

/// The registered faults and how often each kind was injected.
#[derive(Debug, Default)]
pub struct FaultRegistry {
    registered: Vec<Registered>,
    injected: BTreeMap<&'static str, u64>,
}

impl FaultRegistry {
    /// Registers a fault after those already registered (the first matching one wins).
    pub fn add(&mut self, fault: Fault) {
        self.registered.push(Registered {
            remaining: fault.count,
            rng: StdRng::seed_from_u64(fault.seed.unwrap_or(0)),
            fault,
        });
    }

    /// Removes every fault and resets the counters.
    pub fn clear(&mut self) {
        self.registered.clear();
        self.injected.clear();
    }

    /// How many times each kind fired since the last clear.
    pub fn injected(&self) -> &BTreeMap<&'static str, u64> {
        &self.injected
    }

    /// The registered faults with their remaining counts, and the counters.
    pub fn describe(&self) -> Value {
        let faults: Vec<Value> = self
            .registered
            .iter()
            .map(|r| json!({ "fault": r.fault, "remaining": r.remaining }))
            .collect();
        json!({ "faults": faults, "injected": self.injected })
    }

    /// Decides what happens to `method path`: every latency fault that fires adds its delay,
    /// and the first other fault that fires is applied.
    pub(crate) fn plan(&mut self, method: &str, path: &str, scope: Scope) -> Plan {
        let mut plan = Plan::default();
        for r in &mut self.registered {
            let kind = r.fault.kind;
            let applies = !(scope == Scope::BatchItem && kind.is_transport())
                && (matches!(kind, FaultKind::Latency { .. }) || plan.fault.is_none())
                && r.fault.matches(method, path);
            if !applies || !r.fires() {
                continue;
            }
            *self.injected.entry(kind.name()).or_default() += 1;
            match kind {
                FaultKind::Latency { ms } => plan.delay += Duration::from_millis(ms),
                other => plan.fault = Some(other),
            }
        }
        plan
    }
}

/// A refusal sent instead of (or after) processing, in Graph's error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: &'static str,
    pub retry_after: Option<u32>,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: &'static str) -> Self {
        Self {
            status,
            code,
            message,
            retry_after: None,
        }
    }

    /// The answer for a fault that refuses before processing, if `kind` is one.
    pub fn before(kind: FaultKind) -> Option<Self> {
        Some(match kind {
            FaultKind::Throttle { retry_after } => Self {
                retry_after,
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Please retry again later.",
                )
            },
            FaultKind::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is temporarily unavailable.",
            ),
            FaultKind::ServerError => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "generalException",
                "An unspecified error has occurred.",
            ),
            FaultKind::GatewayTimeout => Self::lost(),
            _ => return None,
        })
    }

    /// The answer when the request was processed but its response is lost.
    pub fn lost() -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "GatewayTimeout",
            "The gateway timed out.",
        )
    }

    /// Graph's error body.
    pub fn body(&self) -> Value {
        json!({ "error": { "code": self.code, "message": self.message } })
    }
}

#[cfg(test)]
mod tests;
