#!/usr/bin/env bash
# Install what is missing, build Latchkey (release) and launch it.
#
#   bash scripts/run.sh [APP ARGS...]
#   LATCHKEY_BUILD_ONLY=1 bash scripts/run.sh     install and build, do not launch (works headless)
#
# Needs Debian/Ubuntu (apt; sudo when not root), Node 20+ with npm, and Rust via rustup.
# The app embeds the sandbox tenant by default: no Microsoft account is needed to try it.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$LK_ROOT"

BUILD_ONLY="${LATCHKEY_BUILD_ONLY:-0}"

# Say it before a seven-minute build, not after.
if [[ "$BUILD_ONLY" != 1 && -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  lk_die "no graphical session: neither DISPLAY nor WAYLAND_DISPLAY is set, so Latchkey's window cannot open.
  Run this from a desktop session (or over 'ssh -X'), or use LATCHKEY_BUILD_ONLY=1 to only build.
  Headless tests: bash scripts/test.sh (it runs the app under Xvfb)."
fi

lk_check_node
lk_check_rust

lk_step "install: Debian build packages" lk_ensure_apt "${LK_APT_BUILD[@]}"
lk_step "install: npm ci in ui/" lk_npm_ci ui
lk_step "build: web front end (npm --prefix ui run build)" npm --prefix ui run build
lk_step "build: app (cargo build --release -p latchkey)" cargo build --release -p latchkey
lk_print_step_times

TARGET_DIR="${CARGO_TARGET_DIR:-$LK_ROOT/target}"
APP="$TARGET_DIR/release/latchkey"
[[ -x "$APP" ]] || lk_die "the build finished but $APP is missing."

if [[ "$BUILD_ONLY" == 1 ]]; then
  lk_log "built $APP (LATCHKEY_BUILD_ONLY=1: not launching)"
  exit 0
fi

lk_log "launching $APP"
exec "$APP" "$@"
