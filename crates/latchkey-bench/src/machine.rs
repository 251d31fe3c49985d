//! The machine a run was measured on, and the rows this command cannot measure (they need the
//! real window), printed as such rather than guessed.

use std::path::Path;

/// `nproc`, memory and CPU model, read from `/proc` (Linux); "unknown" elsewhere.
pub fn describe() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or_else(
            || "unknown".into(),
            |kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0),
        );
    format!("{cores} cores available (nproc), {memory_gib} memory, CPU: {model}")
}

/// The rows that need the Tauri window, with how BENCHMARKS.md says to measure them.
pub fn print_unmeasured(workspace: &Path) {
    println!("\nNot measured by this command (they need the real window; see BENCHMARKS.md):");
    for row in [
        "cold start to first paint",
        "PSS memory, window open / closed",
        "idle CPU with 10 activations counting down",
        "search latency in 2,000 eligibilities (the search runs in the web view)",
    ] {
        println!("  - {row}: not measured by this command");
    }
    match find_deb(&workspace.join("target/release/bundle/deb")) {
        Some((name, bytes)) => println!(
            "  - .deb size: {name} is {:.1} MiB (from an earlier `cargo tauri build`; this command does not build it)",
            bytes as f64 / 1024.0 / 1024.0
        ),
        None => println!("  - .deb size: not measured by this command (no target/release/bundle/deb/*.deb; run `cargo tauri build`)"),
    }
}

fn find_deb(dir: &Path) -> Option<(String, u64)> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "deb"))
        .filter_map(|e| {
            Some((
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().ok()?.len(),
            ))
        })
        .max_by_key(|(_, len)| *len)
}
