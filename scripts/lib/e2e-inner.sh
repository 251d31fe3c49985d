#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup() runs from a trap
# The part of the e2e rig that runs inside `dbus-run-session` (started by scripts/e2e.sh, which
# has already started Xvfb, exported DISPLAY, the scratch HOME/XDG dirs and the E2E_* variables).
# Starts: gnome-keyring (unlocked), dbus-monitor, dunst, tauri-driver; then runs the specs (or the
# rig self-check) and stops everything it started, whatever happens.
set -euo pipefail

# scripts/e2e.sh hands us its stderr on fd 3 (dbus-daemon's stderr goes to a log file).
if { true >&3; } 2>/dev/null; then
  exec 2>&3 3>&-
fi

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=e2e-procs.sh
source "$LK_ROOT/scripts/lib/e2e-procs.sh"

: "${E2E_RUN_DIR:?run me through scripts/e2e.sh}" "${E2E_LOG_DIR:?}" "${E2E_MODE:?}"
[[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]] || lk_die "no session bus: run me under dbus-run-session (scripts/e2e.sh does)"
printf '%s\n' "$$" >"$E2E_RUN_DIR/inner.pid"

LOG_DIR="$E2E_LOG_DIR"
KEYRING_PID="" MONITOR_PID="" DUNST_PID="" DRIVER_PID="" NODE_PID=""
RC=0

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  ((RC != 0)) || RC=$rc
  local pid
  for pid in "$NODE_PID" "$DRIVER_PID" "$DUNST_PID" "$MONITOR_PID" "$KEYRING_PID"; do
    [[ -n "$pid" ]] || continue
    e2e_kill_tree "$pid"
    wait "$pid" 2>/dev/null || true
  done
  exit "$RC"
}
trap cleanup EXIT
trap 'RC=130; exit 130' INT
trap 'RC=143; exit 143' TERM

bus_owner_pid() { # pid of the process owning a well-known bus name, or nothing
  dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID "string:$1" 2>/dev/null | awk '{print $2}'
}

wait_for_bus_name() { # NAME SECONDS
  local deadline=$(($(lk_now_ms) + $2 * 1000))
  until [[ -n "$(bus_owner_pid "$1")" ]]; do
    (($(lk_now_ms) < deadline)) || return 1
    sleep 0.05
  done
}

T_RIG="$(lk_now_ms)"

# --- dbus-monitor: a record of every notification sent -------------------------------------

setsid dbus-monitor --session "interface='org.freedesktop.Notifications',member='Notify'" \
  >"$LOG_DIR/dbus-notifications.log" 2>&1 </dev/null &
MONITOR_PID=$!

# --- gnome-keyring: unlocked Secret Service ------------------------------------------------

t0="$(lk_now_ms)"
KEYRING_PW="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
# The daemon forks; the command returns once the (new, empty) login keyring is unlocked.
keyring_env="$(printf '%s' "$KEYRING_PW" |
  gnome-keyring-daemon --unlock --components=secrets 2>>"$LOG_DIR/gnome-keyring.log")" ||
  lk_die "gnome-keyring-daemon --unlock failed (see $LOG_DIR/gnome-keyring.log)"
eval "$keyring_env"
unset KEYRING_PW
wait_for_bus_name org.freedesktop.secrets 10 ||
  lk_die "gnome-keyring did not take org.freedesktop.secrets on the session bus within 10 s"
KEYRING_PID="$(bus_owner_pid org.freedesktop.secrets)"
# Round trip of a throwaway item proves the Secret Service is unlocked and writable.
probe_value="probe-$RANDOM-$RANDOM"
printf '%s' "$probe_value" | secret-tool store --label='Latchkey e2e probe' latchkey-e2e probe ||
  lk_die "secret-tool store failed: the Secret Service is not usable"
[[ "$(secret-tool lookup latchkey-e2e probe)" == "$probe_value" ]] ||
  lk_die "secret-tool lookup did not return the probe value"
secret-tool clear latchkey-e2e probe
[[ -z "$(secret-tool lookup latchkey-e2e probe || true)" ]] || lk_die "secret-tool clear left the probe item"
lk_log "gnome-keyring unlocked, Secret Service round trip ok in $(lk_fmt_ms $(($(lk_now_ms) - t0))) (pid $KEYRING_PID)"

# --- dunst: the notification daemon ---------------------------------------------------------

t0="$(lk_now_ms)"
setsid dunst -verbosity info >"$LOG_DIR/dunst.log" 2>&1 </dev/null &
DUNST_PID=$!
wait_for_bus_name org.freedesktop.Notifications 10 ||
  lk_die "dunst did not take org.freedesktop.Notifications within 10 s (see $LOG_DIR/dunst.log)"
lk_log "dunst up in $(lk_fmt_ms $(($(lk_now_ms) - t0))) (pid $DUNST_PID)"

# --- tauri-driver (and, through it, WebKitWebDriver) ----------------------------------------

start_driver() {
  local port native attempt=0 t0 deadline
  port="${WEBDRIVER_PORT:-4444}"
  while ((attempt < 5)); do
    attempt=$((attempt + 1))
    while ! e2e_port_free "$port" || ! e2e_port_free "$((port + 1))"; do
      port=$((port + 2))
      ((port < 4700)) || lk_die "no free port pair for tauri-driver between 4444 and 4700"
    done
    native=$((port + 1))
    t0="$(lk_now_ms)"
    setsid tauri-driver --port "$port" --native-port "$native" --native-host 127.0.0.1 \
      >>"$LOG_DIR/tauri-driver.log" 2>&1 </dev/null &
    DRIVER_PID=$!
    deadline=$(($(lk_now_ms) + 20000))
    while e2e_alive "$DRIVER_PID" && (($(lk_now_ms) < deadline)); do
      if curl -fsS -m 2 "http://127.0.0.1:$port/status" 2>/dev/null | grep -q '"ready":true'; then
        WEBDRIVER_PORT="$port"
        lk_log "tauri-driver answering on 127.0.0.1:$port (native WebKitWebDriver on $native) in $(lk_fmt_ms $(($(lk_now_ms) - t0))) (pid $DRIVER_PID)"
        return 0
      fi
      sleep 0.1
    done
    lk_warn "tauri-driver on port $port did not answer /status; trying other ports"
    e2e_kill_tree "$DRIVER_PID"
    wait "$DRIVER_PID" 2>/dev/null || true
    DRIVER_PID=""
    port=$((port + 2))
  done
  lk_die "tauri-driver did not start (see $LOG_DIR/tauri-driver.log)"
}
start_driver
export WEBDRIVER_PORT

lk_log "rig up in $(lk_fmt_ms $(($(lk_now_ms) - T_RIG))) inside the session (DISPLAY=$DISPLAY, HOME=$HOME)"

# --- rig self-check -------------------------------------------------------------------------

if [[ "$E2E_MODE" == rig-check ]]; then
  geometry="$(xdotool getdisplaygeometry)" || lk_die "X display $DISPLAY does not answer"
  [[ "$geometry" == "1280 800" ]] || lk_die "unexpected screen geometry: $geometry"
  lk_log "check: X display $DISPLAY answers, screen $geometry"

  marker="latchkey-e2e-notify-$RANDOM$RANDOM"
  notify-send --app-name=latchkey-e2e "Latchkey e2e probe" "$marker" ||
    lk_die "notify-send failed"
  notified=""
  for _ in $(seq 1 50); do
    dunstctl close-all
    if dunstctl history | grep -q "$marker"; then
      notified=1
      break
    fi
    sleep 0.1
  done
  [[ -n "$notified" ]] || lk_die "dunst did not receive the test notification (dunstctl history)"
  for _ in $(seq 1 50); do
    grep -q "$marker" "$LOG_DIR/dbus-notifications.log" && break
    sleep 0.1
  done
  grep -q "$marker" "$LOG_DIR/dbus-notifications.log" ||
    lk_die "dbus-monitor did not record the Notify call"
  lk_log "check: dunst received a notification (dunstctl history), dbus-monitor recorded it"

  status="$(curl -fsS -m 5 "http://127.0.0.1:$WEBDRIVER_PORT/status")" ||
    lk_die "tauri-driver stopped answering"
  lk_log "check: tauri-driver /status: $status"
  lk_log "check: Secret Service round trip ok (above)"
  lk_log "rig check passed"
  exit 0
fi

# --- the specs ------------------------------------------------------------------------------

lk_log "running specs: $* (timeout ${E2E_TIMEOUT:-1200} s)"
cd "$LK_ROOT/tests/e2e"
timeout --kill-after=20 "${E2E_TIMEOUT:-1200}" \
  node --test --test-concurrency=1 --test-force-exit --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout "$@" &
NODE_PID=$!
wait "$NODE_PID" || RC=$?
NODE_PID=""
if ((RC == 124)); then
  lk_warn "the specs did not finish within ${E2E_TIMEOUT:-1200} s and were stopped"
fi
exit "$RC"
