//! `latchkey-sandbox`: the sandbox tenant as a standalone server for scripts and tests.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use latchkey_sandbox::faults::{Fault, FaultKind};
use latchkey_sandbox::{Sandbox, SandboxOptions, Tenant};

/// A local Entra ID + Microsoft Graph PIM emulation with a demo tenant.
#[derive(Debug, Parser)]
#[command(name = "latchkey-sandbox", version)]
struct Args {
    /// Port to listen on (0 picks a free one; the URL is printed on the first line).
    #[arg(long, default_value_t = 8400)]
    port: u16,
    /// Address to bind. Loopback by default; the sandbox has no real security.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Tenant data file (JSON, see data/demo-tenant.json); the built-in demo tenant by default.
    #[arg(long, conflicts_with = "generate")]
    data: Option<PathBuf>,
    /// Serve a generated tenant where ada@bench.example holds this many eligibilities.
    #[arg(long)]
    generate: Option<usize>,
    /// Seed of the generated tenant.
    #[arg(long, default_value_t = 1, requires = "generate")]
    seed: u64,
    /// Write the generated tenant to this file (usable with --data) and exit.
    #[arg(long, requires = "generate")]
    write_data: Option<PathBuf>,
    /// Device-code lifetime in seconds (`expires_in`).
    #[arg(long, default_value_t = 900)]
    device_code_lifetime: u64,
    /// Device-code polling interval in seconds (`interval`).
    #[arg(long, default_value_t = 5)]
    device_code_interval: u64,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3599)]
    access_token_lifetime: u64,
    /// Items per Graph page before `@odata.nextLink`.
    #[arg(long, default_value_t = 100)]
    page_size: usize,
    /// Remember issued refresh tokens (as hashes) in this file across restarts.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Serve HTTPS with a certificate from a CA made for this run (MSAL demands https).
    #[arg(long)]
    tls: bool,
    /// With --tls: write the CA certificate (PEM) here, for clients to trust.
    #[arg(long, requires = "tls")]
    ca_out: Option<PathBuf>,
    /// Delay every request (Graph, identity, ARM; not `/_sandbox/`) by this many milliseconds,
    /// as a network round trip would; more faults can be added at `/_sandbox/faults`.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "latchkey_sandbox=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let now = chrono::Utc::now();
    if let (Some(n), Some(path)) = (args.generate, &args.write_data) {
        let text = latchkey_sandbox::tenant::generate_json(n, args.seed).to_string();
        return match std::fs::write(path, text) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("latchkey-sandbox: cannot write {}: {e}", path.display());
                std::process::ExitCode::from(2)
            }
        };
    }
    let tenant = match (&args.data, args.generate) {
        (None, Some(n)) => Tenant::generate(n, args.seed, now),
        (None, None) => Tenant::demo(now),
        (Some(path), _) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Tenant::from_json(&text, now).map_err(|e| e.to_string()))
        {
            Ok(tenant) => tenant,
            Err(e) => {
                eprintln!("latchkey-sandbox: cannot load {}: {e}", path.display());
                return std::process::ExitCode::from(2);
            }
        },
    };
    let options = SandboxOptions {
        device_code_lifetime: Duration::from_secs(args.device_code_lifetime),
        device_code_interval: Duration::from_secs(args.device_code_interval),
        access_token_lifetime: Duration::from_secs(args.access_token_lifetime),
        page_size: args.page_size.max(1),
        state_file: args.state.clone(),
    };
    let addr = SocketAddr::new(args.bind, args.port);
    let started = if args.tls {
        Sandbox::start_tls(tenant, options, addr).await
    } else {
        Sandbox::start(tenant, options, addr).await
    };
    let sandbox = match started {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!(
                "latchkey-sandbox: cannot listen on {}:{}: {e}",
                args.bind, args.port
            );
            return std::process::ExitCode::from(1);
        }
    };
    // Written before the URL is printed: a script that waits for the first line can use the CA.
    if let (Some(path), Some(pem)) = (&args.ca_out, sandbox.ca_pem()) {
        if let Err(e) = std::fs::write(path, pem) {
            eprintln!("latchkey-sandbox: cannot write {}: {e}", path.display());
            return std::process::ExitCode::from(1);
        }
    }
    if args.latency_ms > 0 {
        sandbox.state().faults().add(Fault {
            method: None,
            path_contains: None,
            kind: FaultKind::Latency {
                ms: args.latency_ms,
            },
            count: None,
            rate: None,
            seed: None,
        });
    }
    println!("latchkey-sandbox listening on {}", sandbox.base_url());
    println!("  sign-in page:  {}/devicelogin", sandbox.base_url());
    println!("  authority:     {}/organizations", sandbox.base_url());
    println!("  Graph:         {}/v1.0", sandbox.base_url());
    let _ = tokio::signal::ctrl_c().await;
    sandbox.stop().await;
    std::process::ExitCode::SUCCESS
}
