//! `latchkey-bench`: how many round trips and how much wall time a full refresh and an
//! activation cost, through Latchkey's own client against the sandbox tenant with an injected
//! round-trip time, next to a plain sequential script. Prints a table; asserts no wall time.
//!
//!     cargo run -p latchkey-bench --release -- [--quick]

mod baseline;
mod latchkey_runs;
mod machine;
mod report;
mod sandbox;

use std::path::Path;
use std::time::Duration;

use clap::Parser;
use latchkey_core::ipc::SessionState;

use report::{Row, Sample, Target};
use sandbox::BenchSandbox;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Tenants at least this large run the (slow, one call at a time) baseline once.
const LARGE_TENANT: usize = 1000;

#[derive(Debug, Parser)]
#[command(name = "latchkey-bench")]
struct Args {
    /// CI mode: the smallest tenant, RTT 20 ms, one repetition (seconds, not minutes).
    #[arg(long)]
    quick: bool,
    /// Repetitions per row (default 3; 1 with --quick).
    #[arg(long)]
    reps: Option<usize>,
    /// Injected round-trip time in milliseconds (default 100; 20 with --quick).
    #[arg(long)]
    rtt_ms: Option<u64>,
    /// Tenant sizes: eligibilities of the signed-in user (default 20,200,2000; 20 with --quick).
    #[arg(long, value_delimiter = ',')]
    sizes: Option<Vec<usize>>,
    /// Seed of the generated tenants.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run the baseline `reps` times on large tenants too (it takes minutes there).
    #[arg(long)]
    full_baseline: bool,
}

struct Plan {
    reps: usize,
    rtt: Duration,
    sizes: Vec<usize>,
    seed: u64,
    full_baseline: bool,
}

impl From<Args> for Plan {
    fn from(a: Args) -> Self {
        let (reps, rtt, sizes) = if a.quick {
            (1, 20, vec![20])
        } else {
            (3, 100, vec![20, 200, 2000])
        };
        Plan {
            reps: a.reps.unwrap_or(reps).max(1),
            rtt: Duration::from_millis(a.rtt_ms.unwrap_or(rtt)),
            sizes: a.sizes.unwrap_or(sizes),
            seed: a.seed,
            full_baseline: a.full_baseline,
        }
    }
}

/// The targets, stated for a 200-eligibility tenant.
fn target_for(eligibilities: usize, rtts: f64) -> Option<Target> {
    (eligibilities == 200).then_some(Target {
        max_rtts: rtts,
        plus: Duration::ZERO,
    })
}

async fn measure_size(plan: &Plan, n: usize) -> Result<Vec<Row>, BoxError> {
    let bench = BenchSandbox::start(n, plan.seed).await?;
    bench.sign_in(&bench.latchkey()?).await?;
    bench.set_latency(plan.rtt).await?;
    let (mut cold, mut warm, mut activation) = (vec![], vec![], vec![]);
    let mut cold_cache = vec![];
    for rep in 0..plan.reps {
        eprintln!(
            "  {n} eligibilities: Latchkey run {}/{}",
            rep + 1,
            plan.reps
        );
        // A new Latchkey is an app start: no connections, no cached requirements.
        let latchkey = bench.latchkey()?;
        latchkey.restore().await;
        if !matches!(latchkey.snapshot().session, SessionState::SignedIn { .. }) {
            return Err(format!(
                "the stored session did not resume: {:?}",
                latchkey.snapshot().session
            )
            .into());
        }
        let (first, items) = latchkey_runs::refresh(&latchkey).await?;
        if items.len() != n {
            return Err(format!("listed {} eligibilities, the tenant has {n}", items.len()).into());
        }
        let (second, _) = latchkey_runs::refresh(&latchkey).await?;
        let candidates = latchkey_runs::instantly_activatable(&items);
        let item = candidates
            .get(rep)
            .ok_or("no eligibility left that activates without approval or MFA")?;
        activation.push(latchkey_runs::activate(&latchkey, item).await?);
        // The same app later: access tokens still valid, every cached policy expired.
        bench
            .clock
            .skip(latchkey_core::policy_cache::POLICY_TTL + chrono::Duration::minutes(1));
        let (third, _) = latchkey_runs::refresh(&latchkey).await?;
        eprintln!(
            "    round trips by phase: app start {} = token grants {} + lists and policies {}; \
             cold cache with tokens held {}; warm (lists only) {}",
            first.round_trips,
            first.round_trips.saturating_sub(third.round_trips),
            third.round_trips,
            third.round_trips,
            second.round_trips
        );
        cold_cache.push(third);
        cold.push(first);
        warm.push(second);
    }
    let baseline = run_baseline(plan, &bench, n).await?;
    let row = |name: &str, samples: Vec<Sample>, target| Row {
        name: name.into(),
        eligibilities: n,
        samples,
        target,
    };
    Ok(vec![
        row(
            "Full refresh, cold policy cache, tokens held (Latchkey)",
            cold_cache,
            target_for(n, 2.0),
        ),
        row(
            "Full refresh, app start: token grant + cold cache (Latchkey)",
            cold,
            None,
        ),
        row("Full refresh, warm (Latchkey)", warm, target_for(n, 1.5)),
        row("BASELINE: sequential script (not Latchkey)", baseline, None),
        row(
            "Activation, click -> Provisioned (Latchkey)",
            activation,
            Some(Target {
                max_rtts: 1.0,
                plus: Duration::from_millis(50),
            }),
        ),
    ])
}

async fn run_baseline(
    plan: &Plan,
    bench: &BenchSandbox,
    n: usize,
) -> Result<Vec<Sample>, BoxError> {
    let token = bench.script_token().await?;
    let reps = if n >= LARGE_TENANT && !plan.full_baseline {
        1
    } else {
        plan.reps
    };
    let mut samples = Vec::with_capacity(reps);
    for rep in 0..reps {
        eprintln!("  {n} eligibilities: baseline run {}/{reps}", rep + 1);
        let (sample, seen) = baseline::refresh(bench.sandbox.base_url(), &token).await?;
        if seen != n {
            return Err(
                format!("the baseline saw {seen} eligibilities, the tenant has {n}").into(),
            );
        }
        samples.push(sample);
    }
    Ok(samples)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let plan = Plan::from(Args::parse());
    println!("Latchkey benchmark — {}", machine::describe());
    println!(
        "Injected RTT {} ms on every route; {} repetition(s); tenants {:?} (seed {}); page size 100.\n",
        plan.rtt.as_millis(),
        plan.reps,
        plan.sizes,
        plan.seed
    );
    let mut rows = Vec::new();
    for &n in &plan.sizes {
        match measure_size(&plan, n).await {
            Ok(mut measured) => rows.append(&mut measured),
            Err(e) => {
                eprintln!("latchkey-bench: {n} eligibilities: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    report::print_table(&rows, plan.rtt);
    report::print_growth(
        &rows,
        "Full refresh, cold policy cache, tokens held (Latchkey)",
        plan.rtt,
    );
    report::print_growth(
        &rows,
        "BASELINE: sequential script (not Latchkey)",
        plan.rtt,
    );
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    machine::print_unmeasured(&workspace);
    std::process::ExitCode::SUCCESS
}
