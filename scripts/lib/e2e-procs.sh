# shellcheck shell=bash
# Process helpers for the e2e rig (sourced by scripts/e2e.sh and scripts/lib/e2e-inner.sh).
# They only ever signal processes the rig itself started: a pid it recorded, that pid's
# descendants, or a process carrying this run's LATCHKEY_E2E_RUN marker.

# Alive and not a zombie (a zombie is dead; it only waits for its parent to reap it).
e2e_alive() {
  local s
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$s" ]] || return 1
  s="${s##*) }"
  [[ "${s%% *}" != Z ]]
}

# Descendants of a pid, deepest first (post-order), one per line.
e2e_descendants() {
  local c
  for c in $(pgrep -P "$1" 2>/dev/null); do
    e2e_descendants "$c"
    printf '%s\n' "$c"
  done
}

# e2e_wait_gone PID SECONDS: wait until PID is gone (or a zombie); non-zero on timeout.
e2e_wait_gone() {
  local pid="$1" deadline=$(($(lk_now_ms) + $2 * 1000))
  while e2e_alive "$pid"; do
    (($(lk_now_ms) < deadline)) || return 1
    sleep 0.1
  done
}

# Stop a process tree, leaves first so that every parent is still there to reap its children;
# SIGKILL whatever ignores SIGTERM for 5 s.
e2e_kill_tree() {
  local root="$1" p
  local -a pids=()
  [[ -n "$root" ]] || return 0
  mapfile -t pids < <(e2e_descendants "$root")
  pids+=("$root")
  for p in "${pids[@]}"; do
    e2e_alive "$p" || continue
    kill -TERM "$p" 2>/dev/null || continue
    if ! e2e_wait_gone "$p" 5; then
      kill -KILL "$p" 2>/dev/null || true
      e2e_wait_gone "$p" 2 || true
    fi
  done
}

# e2e_marked_pids RUN_ID GRACE_SECONDS: live processes whose environment carries
# LATCHKEY_E2E_RUN=RUN_ID, after waiting up to GRACE_SECONDS for them to go away by themselves.
# Prints them space-separated (nothing when there are none).
e2e_marked_pids() {
  local run_id="$1" deadline=$(($(lk_now_ms) + ${2:-0} * 1000)) d pid
  local -a found
  while :; do
    found=()
    for d in /proc/[0-9]*; do
      pid="${d#/proc/}"
      [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
      if grep -qzx -- "LATCHKEY_E2E_RUN=$run_id" "$d/environ" 2>/dev/null && e2e_alive "$pid"; then
        found+=("$pid")
      fi
    done
    if ((${#found[@]} == 0)) || (($(lk_now_ms) >= deadline)); then
      break
    fi
    sleep 0.25
  done
  printf '%s' "${found[*]}"
}

# e2e_port_free PORT: nothing accepts connections on 127.0.0.1:PORT.
e2e_port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
