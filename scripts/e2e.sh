#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup() and print_log_tails() run from a trap
# Headless end-to-end rig for Latchkey's real window.
#
#   bash scripts/e2e.sh                 run every spec in tests/e2e/specs/ (after a debug build)
#   bash scripts/e2e.sh SPEC...         run only these spec files
#   bash scripts/e2e.sh --rig-check     start the rig and check it (no app needed): Xvfb, session bus,
#                                       keyring round trip, dunst receiving a notification,
#                                       tauri-driver answering /status; then stop everything
#
# Layout: Xvfb on a free display, then ONE `dbus-run-session -- bash scripts/lib/e2e-inner.sh`
# that unlocks gnome-keyring, starts dunst, dbus-monitor and tauri-driver, and runs the specs with
# Node's test runner. Everything lives under target/e2e-run/ (wiped at the start of each run):
#   target/e2e-run/home   scratch HOME and XDG dirs (the app, WebKit and gnome-keyring write here)
#   target/e2e-run/logs   xvfb, dbus-monitor, dunst, tauri-driver, app-*.log, sandbox-*.log
#   target/e2e-artifacts  screenshots and failure dumps
#
# Environment it reads (all optional):
#   LATCHKEY_APP, LATCHKEY_SANDBOX_BIN   binaries under test (default target/debug/...)
#   LATCHKEY_E2E_TIMEOUT                 seconds for the whole spec run (default 1200)
#   LATCHKEY_E2E_SKIP_INSTALL=1          skip the (idempotent) install checks; test.sh sets it
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

MODE=specs
SPECS=()
for arg in "$@"; do
  case "$arg" in
    --rig-check) MODE=rig-check ;;
    -h | --help)
      sed -n '3,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*) lk_die "unknown option: $arg (see --help)" ;;
    *) SPECS+=("$(realpath -- "$arg")") ;;
  esac
done

cd "$LK_ROOT"

TARGET_DIR="${CARGO_TARGET_DIR:-$LK_ROOT/target}"
[[ "$TARGET_DIR" == /* ]] || TARGET_DIR="$LK_ROOT/$TARGET_DIR"
RUN_DIR="$TARGET_DIR/e2e-run"
SCRATCH_HOME="$RUN_DIR/home"
LOG_DIR="$RUN_DIR/logs"
ARTIFACTS="$TARGET_DIR/e2e-artifacts"
APP="${LATCHKEY_APP:-$TARGET_DIR/debug/latchkey}"
SANDBOX_BIN="${LATCHKEY_SANDBOX_BIN:-$TARGET_DIR/debug/latchkey-sandbox}"

# --- prerequisites -------------------------------------------------------------------------

if [[ "${LATCHKEY_E2E_SKIP_INSTALL:-0}" != 1 ]]; then
  lk_check_node
  lk_check_rust
  lk_ensure_apt "${LK_APT_TEST[@]}"
  lk_ensure_tauri_driver
  lk_npm_ci tests/e2e
fi
for tool in Xvfb dbus-run-session gnome-keyring-daemon secret-tool dunst dunstctl dbus-monitor \
  dbus-send tauri-driver WebKitWebDriver curl node; do
  command -v "$tool" >/dev/null 2>&1 ||
    lk_die "'$tool' not found. Run scripts/test.sh once (it installs the headless test packages)."
done
[[ -d tests/e2e/node_modules/webdriverio ]] ||
  lk_die "tests/e2e/node_modules is missing: run 'npm --prefix tests/e2e ci' (scripts/test.sh does)."
if [[ "$MODE" == specs ]]; then
  [[ -x "$APP" ]] ||
    lk_die "app binary not found at $APP: build it first ('npm --prefix ui run build && cargo build -p latchkey', or scripts/test.sh)."
  [[ -x "$SANDBOX_BIN" ]] ||
    lk_die "sandbox binary not found at $SANDBOX_BIN: build it first ('cargo build -p latchkey-sandbox', or scripts/test.sh)."
  APP="$(realpath -- "$APP")"
  SANDBOX_BIN="$(realpath -- "$SANDBOX_BIN")"
fi

# --- clean state ---------------------------------------------------------------------------

rm -rf -- "$RUN_DIR" "$ARTIFACTS"
mkdir -p "$SCRATCH_HOME" "$LOG_DIR" "$ARTIFACTS"

# XDG_RUNTIME_DIR holds sockets (keyring control, dconf, ...): keep its path short enough for a
# unix socket (108 bytes) even when the checkout lives deep down.
RUNTIME_DIR="$SCRATCH_HOME/.run"
if ((${#RUNTIME_DIR} > 60)); then
  RUNTIME_DIR="$(mktemp -d /tmp/latchkey-e2e-rt.XXXXXX)"
  ln -s "$RUNTIME_DIR" "$SCRATCH_HOME/.run"
else
  mkdir -p "$RUNTIME_DIR"
fi
chmod 700 "$RUNTIME_DIR"
mkdir -p "$SCRATCH_HOME/.config" "$SCRATCH_HOME/.local/share" "$SCRATCH_HOME/.cache"

# Every process the rig starts carries this marker in its environment: the final check finds
# leftovers by it (and only ever touches processes that carry it).
RUN_ID="e2e-$$-${EPOCHSECONDS}-${RANDOM}"

# --- process helpers (shared with the inner script) ------------------------------------------

# shellcheck source=lib/e2e-procs.sh
source "$LK_ROOT/scripts/lib/e2e-procs.sh"

XVFB_PID=""
SESSION_PID=""
RC=0
START_MS="$(lk_now_ms)"

print_log_tails() {
  local f
  shopt -s nullglob
  for f in "$LOG_DIR"/*.log; do
    [[ -s "$f" ]] || continue
    printf '\n%s----- tail of %s -----%s\n' "$LK_C_BOLD" "${f#"$LK_ROOT"/}" "$LK_C_OFF"
    tail -n 60 -- "$f"
  done
  shopt -u nullglob
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  ((RC != 0)) || RC=$rc
  # The inner script stops what it started; if we got here early (a signal), tell it to.
  if [[ -n "$SESSION_PID" ]] && kill -0 "$SESSION_PID" 2>/dev/null; then
    local inner
    inner="$(cat "$RUN_DIR/inner.pid" 2>/dev/null || true)"
    [[ -n "$inner" ]] && kill -TERM "$inner" 2>/dev/null
    e2e_wait_gone "$SESSION_PID" 20 || e2e_kill_tree "$SESSION_PID"
    wait "$SESSION_PID" 2>/dev/null || true
  fi
  if [[ -n "$XVFB_PID" ]]; then
    e2e_kill_tree "$XVFB_PID"
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  # Anything still carrying our marker is a leak: report it, then stop it.
  local leftovers
  leftovers="$(e2e_marked_pids "$RUN_ID" 5)"
  if [[ -n "$leftovers" ]]; then
    lk_warn "processes left behind by the rig (now killed):"
    # shellcheck disable=SC2086
    ps -o pid,ppid,stat,etime,args -p "${leftovers// /,}" >&2 || true
    # shellcheck disable=SC2086
    kill -KILL $leftovers 2>/dev/null || true
    ((RC != 0)) || RC=3
  else
    lk_log "no processes left behind (checked by the run marker: Xvfb, dbus, keyring, dunst, tauri-driver, WebKitWebDriver, latchkey, sandbox)"
  fi
  [[ -L "$SCRATCH_HOME/.run" ]] && rm -rf -- "$(readlink "$SCRATCH_HOME/.run")"
  if ((RC != 0)); then
    print_log_tails
    printf '\n%se2e: FAILED (exit %d) after %s. Logs: %s, artifacts: %s%s\n' "$LK_C_RED" "$RC" \
      "$(lk_fmt_ms $(($(lk_now_ms) - START_MS)))" "${LOG_DIR#"$LK_ROOT"/}" "${ARTIFACTS#"$LK_ROOT"/}" "$LK_C_OFF" >&2
  else
    lk_log "e2e: ok after $(lk_fmt_ms $(($(lk_now_ms) - START_MS))). Logs: ${LOG_DIR#"$LK_ROOT"/}, artifacts: ${ARTIFACTS#"$LK_ROOT"/}"
  fi
  exit "$RC"
}
trap cleanup EXIT
trap 'RC=130; exit 130' INT
trap 'RC=143; exit 143' TERM

# --- Xvfb ----------------------------------------------------------------------------------

start_xvfb() {
  local n fifo_file="$RUN_DIR/xvfb.displayfd" t0
  t0="$(lk_now_ms)"
  for n in $(seq 99 160); do
    [[ -e "/tmp/.X${n}-lock" || -e "/tmp/.X11-unix/X${n}" ]] && continue
    : >"$fifo_file"
    # -displayfd: Xvfb writes the display number once it accepts connections.
    env LATCHKEY_E2E_RUN="$RUN_ID" setsid Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp \
      -displayfd 9 9>"$fifo_file" >>"$LOG_DIR/xvfb.log" 2>&1 </dev/null &
    XVFB_PID=$!
    local i
    for i in $(seq 1 200); do
      [[ -s "$fifo_file" ]] && break
      kill -0 "$XVFB_PID" 2>/dev/null || break
      sleep 0.05
    done
    if [[ -s "$fifo_file" ]] && kill -0 "$XVFB_PID" 2>/dev/null; then
      DISPLAY_NUM="$n"
      lk_log "Xvfb :$n ready in $(lk_fmt_ms $(($(lk_now_ms) - t0))) (pid $XVFB_PID)"
      return 0
    fi
    e2e_kill_tree "$XVFB_PID"
    wait "$XVFB_PID" 2>/dev/null || true
    XVFB_PID=""
    lk_warn "Xvfb :$n did not come up, trying the next display"
  done
  lk_die "could not start Xvfb on any display :99-:160 (see $LOG_DIR/xvfb.log)"
}

DISPLAY_NUM=""
start_xvfb

# --- the session: everything else runs inside one dbus-run-session ---------------------------

# Real toolchain homes were pinned by common.sh; now point HOME and XDG at the scratch dir.
export HOME="$SCRATCH_HOME"
export XDG_CONFIG_HOME="$SCRATCH_HOME/.config"
export XDG_DATA_HOME="$SCRATCH_HOME/.local/share"
export XDG_CACHE_HOME="$SCRATCH_HOME/.cache"
export XDG_RUNTIME_DIR="$RUNTIME_DIR"
export DISPLAY=":$DISPLAY_NUM"
export GDK_BACKEND=x11
# LATCHKEY_CONFIG would override the config.json the specs write into the scratch XDG_CONFIG_HOME.
unset LATCHKEY_CONFIG WAYLAND_DISPLAY XAUTHORITY DBUS_SESSION_BUS_ADDRESS SESSION_MANAGER SSH_AUTH_SOCK \
  GNOME_KEYRING_CONTROL XDG_SESSION_ID XDG_SESSION_TYPE XDG_CURRENT_DESKTOP DESKTOP_SESSION
# Keep GLib/GTK from D-Bus-activating helpers (dconf, gvfs, GTK's a11y bridge) and any "open in
# browser" from launching a real browser. WebKit still starts the a11y bus (at-spi) through D-Bus
# activation; it goes away with the session bus.
export NO_AT_BRIDGE=1 GTK_A11Y=none GSETTINGS_BACKEND=memory GIO_USE_VFS=local GTK_USE_PORTAL=0
# "Open browser" must not start a real browser, and the specs check which URL it was given:
# a recording fake browser is the scratch HOME's handler for http(s) (xdg-open prefers a
# registered handler, such as Debian's chromium, over $BROWSER).
export E2E_OPENED_URLS="$LOG_DIR/opened-urls.log"
: >"$E2E_OPENED_URLS"
FAKE_BROWSER="$RUN_DIR/fake-browser.sh"
printf '#!/bin/sh\nprintf "%%s\\n" "$1" >>"%s"\n' "$E2E_OPENED_URLS" >"$FAKE_BROWSER"
chmod +x "$FAKE_BROWSER"
mkdir -p "$SCRATCH_HOME/.local/share/applications"
cat >"$SCRATCH_HOME/.local/share/applications/latchkey-e2e-browser.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Latchkey E2E browser
Exec=$FAKE_BROWSER %u
MimeType=x-scheme-handler/http;x-scheme-handler/https;
NoDisplay=true
DESKTOP
cat >"$SCRATCH_HOME/.config/mimeapps.list" <<MIME
[Default Applications]
x-scheme-handler/http=latchkey-e2e-browser.desktop
x-scheme-handler/https=latchkey-e2e-browser.desktop
MIME
export BROWSER="$FAKE_BROWSER"
# Do NOT set WEBKIT_DISABLE_DMABUF_RENDERER=1 here: it saves memory, but with it WebDriver's
# screenshot of a page that does not repaint never returns (measured with WebKitGTK 2.50).
export RUST_BACKTRACE="${RUST_BACKTRACE:-1}"

# What the specs read.
export LATCHKEY_APP="$APP"
export LATCHKEY_SANDBOX_BIN="$SANDBOX_BIN"
export E2E_SCRATCH_HOME="$SCRATCH_HOME"
export E2E_RUN_DIR="$RUN_DIR"
export E2E_LOG_DIR="$LOG_DIR"
export E2E_ARTIFACTS="$ARTIFACTS"
export E2E_MODE="$MODE"
export E2E_TIMEOUT="${LATCHKEY_E2E_TIMEOUT:-1200}"

if ((${#SPECS[@]} == 0)); then
  SPECS=("$LK_ROOT/tests/e2e/specs/")
fi

# dbus-daemon's own chatter goes to logs/dbus-session.log; the inner script gets our stderr back
# through fd 3.
env LATCHKEY_E2E_RUN="$RUN_ID" dbus-run-session -- \
  bash "$LK_ROOT/scripts/lib/e2e-inner.sh" "${SPECS[@]}" \
  </dev/null 3>&2 2>>"$LOG_DIR/dbus-session.log" &
SESSION_PID=$!
wait "$SESSION_PID" || RC=$?
SESSION_PID=""
exit "$RC"
