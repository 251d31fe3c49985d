#!/usr/bin/env bash
# Install what is missing, then run every check and test, failing fast with a banner per step,
# and print each step's wall time at the end. CI runs this through .ci/run.
#
#   bash scripts/test.sh
#
# Steps: toolchain check; installs (apt build + headless test packages, tauri-driver, npm ci in
# ui/ and tests/e2e/); cargo fmt --check; ui check, unit tests and build; clippy -D warnings;
# Rust tests (nextest + doctests, or cargo test); MSAL and the Graph SDK against the sandbox over
# HTTPS (scripts/conformance.sh, in its own venv); the benchmark in its quick mode; debug build of
# the app and the sandbox; the headless end-to-end specs (scripts/e2e.sh).
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$LK_ROOT"

check_toolchains() {
  lk_check_node
  lk_check_rust
  lk_check_rust_components
  lk_log "node $(node --version), npm $(npm --version), $(rustc --version)"
  if cargo nextest --version >/dev/null 2>&1; then
    lk_log "$(cargo nextest --version | head -n1)"
  else
    lk_log "cargo-nextest not found: Rust tests run with cargo test"
  fi
}

rust_tests() {
  if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace
    # nextest does not run doctests.
    lk_banner "doctests: cargo test --doc --workspace"
    cargo test --doc --workspace
  else
    cargo test --workspace
  fi
}

lk_step "check toolchains (Node, npm, Rust)" check_toolchains
lk_step "install: Debian packages (build + headless test)" lk_ensure_apt "${LK_APT_BUILD[@]}" "${LK_APT_TEST[@]}"
lk_step "install: tauri-driver ${LK_TAURI_DRIVER_VERSION}" lk_ensure_tauri_driver
lk_step "install: npm ci in ui/" lk_npm_ci ui
lk_step "install: npm ci in tests/e2e/" lk_npm_ci tests/e2e

lk_step "cargo fmt --all -- --check" cargo fmt --all -- --check
lk_step "ui: npm run check" npm --prefix ui run check
lk_step "ui: npm test" npm --prefix ui test
lk_step "ui: npm run build (the Tauri build embeds ui/dist)" npm --prefix ui run build
lk_step "cargo clippy --workspace --all-targets -- -D warnings" \
  cargo clippy --workspace --all-targets -- -D warnings
lk_step "Rust tests" rust_tests
lk_step "conformance: Microsoft's Python libraries vs the sandbox (scripts/conformance.sh)" \
  bash scripts/conformance.sh
lk_step "benchmark, quick mode (reports, asserts no wall time)" bash scripts/bench.sh --quick
lk_step "cargo build -p latchkey -p latchkey-sandbox (debug binaries for e2e)" \
  cargo build -p latchkey -p latchkey-sandbox
lk_step "e2e: scripts/e2e.sh (headless, real window)" \
  env LATCHKEY_E2E_SKIP_INSTALL=1 bash scripts/e2e.sh
lk_step "window benchmark, CI mode (debug build; reports, asserts no wall time)" \
  env LATCHKEY_E2E_SKIP_INSTALL=1 bash scripts/bench-window.sh --ci

lk_print_step_times
printf '\n%sAll %d steps passed.%s\n' "$LK_C_GREEN" "${#LK_STEP_NAMES[@]}" "$LK_C_OFF"
