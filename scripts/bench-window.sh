#!/usr/bin/env bash
# The window benchmark: the release app under Xvfb (the e2e rig) against a standalone sandbox of
# 2,000 eligibilities — cold start, search latency, PSS and idle CPU with the window open and
# closed — plus the size of the .deb. Prints a table; asserts no wall time.
#
#   bash scripts/bench-window.sh            # idle windows of 60 s (the issue's method)
#   bash scripts/bench-window.sh --quick    # idle windows of 5 s: keeps the benchmark working
#   bash scripts/bench-window.sh --ci       # what scripts/test.sh runs: --quick on the debug build
#                                           # and ui/dist it has already built, one cold start, no .deb
#   BENCH_SANDBOX_LATENCY_MS=100 bash scripts/bench-window.sh   # the sandbox answers after 100 ms
#   BENCH_COLD_STARTS=6 bash scripts/bench-window.sh            # more cold starts (default 3)
#   BENCH_DBUS_MONITOR=/tmp/bus.txt bash scripts/bench-window.sh  # dbus-monitor the session bus during them
#
# Results: target/bench-window.json, target/bench-window.md and the cold start's phases
# (process start → list painted, from the app's log and the web view's User Timing marks) in
# target/bench-window-phases.md.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$LK_ROOT"

idle=60
profile=release
case "${1:-}" in
  --quick) idle=5 ;;
  --ci)
    idle=5
    profile=debug
    export BENCH_COLD_STARTS="${BENCH_COLD_STARTS:-1}"
    ;;
  "") ;;
  *) lk_die "unknown option: $1 (see the header of $0)" ;;
esac

if [[ "${LATCHKEY_E2E_SKIP_INSTALL:-}" != 1 ]]; then
  lk_ensure_apt "${LK_APT_BUILD[@]}" "${LK_APT_TEST[@]}"
  lk_ensure_tauri_driver
  lk_npm_ci ui
  lk_npm_ci tests/e2e
fi
lk_check_rust
if [[ "$profile" == release ]]; then
  npm --prefix ui run build
  cargo build --release -p latchkey -p latchkey-sandbox
  deb="$(bash scripts/package-deb.sh)"
else
  cargo build -p latchkey -p latchkey-sandbox
fi

out="$LK_ROOT/target/bench-window.json"
rm -f "$out" "${out%.json}.md" "${out%.json}-phases.md"
LATCHKEY_APP="$LK_ROOT/target/$profile/latchkey" \
  LATCHKEY_SANDBOX_BIN="$LK_ROOT/target/$profile/latchkey-sandbox" \
  BENCH_IDLE_SECONDS="$idle" BENCH_OUT="$out" LATCHKEY_E2E_SKIP_INSTALL=1 \
  bash scripts/e2e.sh tests/e2e/bench/window.bench.mjs
[[ -f "${out%.json}.md" ]] || lk_die "the window benchmark wrote no results"

if [[ "$profile" == release ]]; then
  deb_bytes="$(stat -c %s "$deb")"
  bin_bytes="$(stat -c %s target/release/latchkey)"
  printf '| .deb package (dpkg-deb, xz; binary %s MB stripped) | %s MB | ≤ 12 MB |\n' \
    "$(awk -v b="$bin_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')" \
    "$(awk -v b="$deb_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')" >>"${out%.json}.md"
fi
printf '\nWindow benchmark (%s build, Xvfb, idle windows of %s s)\n\n' "$profile" "$idle"
cat "${out%.json}.md"
if [[ -f "${out%.json}-phases.md" ]]; then
  printf '\n'
  cat "${out%.json}-phases.md"
fi
