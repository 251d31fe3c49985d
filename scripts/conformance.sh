#!/usr/bin/env bash
# Conformance: Microsoft's own Python libraries (msal, msgraph-sdk, azure-identity from PyPI,
# unmodified) against the sandbox tenant over HTTPS. See tests/conformance/test_msal_graph.py.
#
#   bash scripts/conformance.sh            install (if needed), build, run; non-zero on any failure
#   bash scripts/conformance.sh -k msal    extra arguments go to pytest
#
# The venv lives in target/conformance/venv and is reinstalled only when requirements.txt or the
# Python version changes (a stamp file). The test starts the sandbox itself and stops it at the
# end; its log and CA are in target/conformance/run/.
#
# Environment (optional):
#   LATCHKEY_SANDBOX_BIN              sandbox binary to test (default: cargo build, target/debug)
#   LATCHKEY_CONFORMANCE_TIMEOUT      seconds for the whole pytest run (default 300)
#   PYTHON                            interpreter for the venv (default python3)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$LK_ROOT"

TARGET_DIR="${CARGO_TARGET_DIR:-$LK_ROOT/target}"
WORK="$TARGET_DIR/conformance"
VENV="$WORK/venv"
REQUIREMENTS="$LK_ROOT/tests/conformance/requirements.txt"
PYTHON="${PYTHON:-python3}"
TIMEOUT="${LATCHKEY_CONFORMANCE_TIMEOUT:-300}"

ensure_venv() {
  command -v "$PYTHON" >/dev/null 2>&1 || lk_die "$PYTHON not found (need Python 3.9+ with venv)."
  local stamp="$VENV/.latchkey-requirements.stamp" want
  want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1) $("$PYTHON" --version 2>&1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$VENV/bin/python" ]]; then
    lk_log "python: $VENV is up to date with requirements.txt"
    return 0
  fi
  lk_log "python: creating $VENV and installing tests/conformance/requirements.txt"
  rm -rf "$VENV"
  mkdir -p "$WORK"
  # venv hides why its ensurepip failed (seen once in CI, not reproduced): on failure, build the
  # venv without pip and run ensurepip in the open, so the log says why if it fails again.
  if ! "$PYTHON" -m venv "$VENV"; then
    lk_warn "'$PYTHON -m venv' failed; retrying once with ensurepip's own output"
    rm -rf "$VENV"
    "$PYTHON" -m venv --without-pip "$VENV" && "$VENV/bin/python" -m ensurepip --upgrade --default-pip ||
      lk_die "'$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)."
  fi
  local start
  start="$(lk_now_ms)"
  # Bounded: a stalled index must fail the step, not hang CI.
  timeout 900 "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    --timeout 60 --retries 3 -r "$REQUIREMENTS" </dev/null
  lk_log "python: installed in $(lk_fmt_ms "$(($(lk_now_ms) - start))"), venv is $(du -sh "$VENV" | cut -f1)"
  printf '%s' "$want" >"$stamp"
}

ensure_sandbox_bin() {
  if [[ -n "${LATCHKEY_SANDBOX_BIN:-}" ]]; then
    [[ -x "$LATCHKEY_SANDBOX_BIN" ]] || lk_die "LATCHKEY_SANDBOX_BIN=$LATCHKEY_SANDBOX_BIN is not executable."
    return 0
  fi
  lk_log "building the sandbox binary (cargo build -p latchkey-sandbox)"
  cargo build -p latchkey-sandbox
  LATCHKEY_SANDBOX_BIN="$TARGET_DIR/debug/latchkey-sandbox"
}

ensure_venv
ensure_sandbox_bin

RUN_DIR="$WORK/run"
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR"
export LATCHKEY_SANDBOX_BIN LATCHKEY_CONFORMANCE_DIR="$RUN_DIR"
lk_log "running tests/conformance with $LATCHKEY_SANDBOX_BIN"
rc=0
# The test starts and stops the sandbox; should pytest hang, `timeout` signals its whole process
# group, the sandbox included.
timeout --kill-after=10 "$TIMEOUT" "$VENV/bin/python" -m pytest -p no:cacheprovider -v \
  "$LK_ROOT/tests/conformance" "$@" </dev/null || rc=$?
if ((rc != 0)); then
  if [[ -f "$RUN_DIR/sandbox.log" ]]; then
    lk_warn "last lines of the sandbox log ($RUN_DIR/sandbox.log):"
    tail -n 40 "$RUN_DIR/sandbox.log" >&2
  fi
  ((rc == 124)) && lk_warn "conformance run timed out after ${TIMEOUT} s"
  exit "$rc"
fi
