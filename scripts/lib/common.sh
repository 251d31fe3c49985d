# shellcheck shell=bash
# Shared helpers for scripts/run.sh, scripts/test.sh and scripts/e2e.sh.
# Source it; it sets no shell options of its own.
#
# Every install helper here is idempotent and cheap when the thing is already there
# (dpkg-query / command -v / a stamp file), so the scripts can run them every time.

# ---------------------------------------------------------------------------------------------
# Paths and the toolchain environment
# ---------------------------------------------------------------------------------------------

LK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LK_ROOT

# Pin the real cargo/rustup homes *now*, before any script points HOME somewhere else:
# rustup stops working when HOME moves and these are unset.
if [[ -z "${CARGO_HOME:-}" && -d "${HOME}/.cargo" ]]; then
  export CARGO_HOME="${HOME}/.cargo"
fi
if [[ -z "${RUSTUP_HOME:-}" && -d "${HOME}/.rustup" ]]; then
  export RUSTUP_HOME="${HOME}/.rustup"
fi
if [[ -n "${CARGO_HOME:-}" && ":${PATH}:" != *":${CARGO_HOME}/bin:"* ]]; then
  export PATH="${CARGO_HOME}/bin:${PATH}"
fi

# Versions and package sets -------------------------------------------------------------------

LK_TAURI_DRIVER_VERSION="2.1.0"
LK_MIN_NODE_MAJOR=20
LK_MIN_NPM_MAJOR=11
LK_MIN_RUST="1.85.0" # workspace rust-version

# shellcheck disable=SC2034 # used by the scripts that source this file
# Build (and run) the Tauri app.
LK_APT_BUILD=(
  libwebkit2gtk-4.1-dev build-essential libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config libdbus-1-dev
)
# shellcheck disable=SC2034
# Run it headless and test it (Xvfb, session bus, keyring, notifications, WebDriver).
LK_APT_TEST=(
  xvfb xauth webkit2gtk-driver dbus dbus-x11 dunst gnome-keyring libsecret-tools
  keyutils xdotool xclip imagemagick chromium libnotify-bin curl procps
  python3 python3-venv
)

# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  LK_C_BOLD=$'\e[1m' LK_C_RED=$'\e[31m' LK_C_GREEN=$'\e[32m' LK_C_YELLOW=$'\e[33m' LK_C_OFF=$'\e[0m'
else
  LK_C_BOLD='' LK_C_RED='' LK_C_GREEN='' LK_C_YELLOW='' LK_C_OFF=''
fi

lk_log() { printf '%s[latchkey]%s %s\n' "$LK_C_BOLD" "$LK_C_OFF" "$*"; }
lk_warn() { printf '%s[latchkey] warning:%s %s\n' "$LK_C_YELLOW" "$LK_C_OFF" "$*" >&2; }
lk_die() {
  printf '%s[latchkey] error:%s %s\n' "$LK_C_RED" "$LK_C_OFF" "$*" >&2
  exit 1
}
lk_banner() {
  printf '\n%s==============================================================================%s\n' "$LK_C_BOLD" "$LK_C_OFF"
  printf '%s== %s%s\n' "$LK_C_BOLD" "$*" "$LK_C_OFF"
  printf '%s==============================================================================%s\n' "$LK_C_BOLD" "$LK_C_OFF"
}

# Milliseconds since the epoch (bash 5's EPOCHREALTIME, no subprocess).
lk_now_ms() {
  local t="${EPOCHREALTIME/[.,]/}"
  printf '%s' "$((t / 1000))"
}
lk_fmt_ms() { # 83456 -> "83.5 s"
  local ms="$1"
  printf '%d.%d s' "$((ms / 1000))" "$(((ms % 1000) / 100))"
}

# ---------------------------------------------------------------------------------------------
# Timed steps: lk_step "name" cmd args...   (stops the script on failure, with a banner)
# ---------------------------------------------------------------------------------------------

LK_STEP_NAMES=()
LK_STEP_MS=()
LK_STEP_STATUS=()

lk_print_step_times() {
  local i total=0
  printf '\n%sStep wall times%s\n' "$LK_C_BOLD" "$LK_C_OFF"
  for i in "${!LK_STEP_NAMES[@]}"; do
    printf '  %-6s %10s  %s\n' "${LK_STEP_STATUS[$i]}" "$(lk_fmt_ms "${LK_STEP_MS[$i]}")" "${LK_STEP_NAMES[$i]}"
    total=$((total + LK_STEP_MS[i]))
  done
  printf '  %-6s %10s  %s\n' "" "$(lk_fmt_ms "$total")" "total"
}

lk_step() {
  local name="$1"
  shift
  local n=$((${#LK_STEP_NAMES[@]} + 1))
  lk_banner "[$n] $name"
  local start rc=0
  start="$(lk_now_ms)"
  # Not `"$@" || rc=$?`: inside a `||` list bash ignores `set -e` for the whole function, so a
  # failing command in the middle of a step (say nextest before the doctests) went unnoticed.
  # A subshell run as a plain command keeps errexit; steps therefore cannot set globals.
  set +e
  (
    set -e
    "$@"
  )
  rc=$?
  set -e
  local ms=$(($(lk_now_ms) - start))
  LK_STEP_NAMES+=("$name")
  LK_STEP_MS+=("$ms")
  if ((rc == 0)); then
    LK_STEP_STATUS+=("ok")
    printf '%s-- ok: %s (%s)%s\n' "$LK_C_GREEN" "$name" "$(lk_fmt_ms "$ms")" "$LK_C_OFF"
  else
    LK_STEP_STATUS+=("FAILED")
    printf '\n%s!!!!!! FAILED: %s (exit %d, after %s)%s\n' "$LK_C_RED" "$name" "$rc" "$(lk_fmt_ms "$ms")" "$LK_C_OFF" >&2
    lk_print_step_times
    printf '\n%sFAILED at step [%d] %s: exit %d%s\n' "$LK_C_RED" "$n" "$name" "$rc" "$LK_C_OFF" >&2
    exit "$rc"
  fi
}

# ---------------------------------------------------------------------------------------------
# Toolchain checks (Node, npm and Rust come with the machine image; we never install them)
# ---------------------------------------------------------------------------------------------

lk_version_ge() { # lk_version_ge 1.95.0 1.85.0
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}

lk_check_node() {
  command -v node >/dev/null 2>&1 ||
    lk_die "Node.js is not installed (need Node ${LK_MIN_NODE_MAJOR}+ on PATH; it comes with the machine image)."
  command -v npm >/dev/null 2>&1 ||
    lk_die "npm is not installed (need npm ${LK_MIN_NPM_MAJOR}+ on PATH; it comes with the machine image)."
  local node_v npm_v
  node_v="$(node -p 'process.versions.node')"
  npm_v="$(npm --version 2>/dev/null)"
  ((${node_v%%.*} >= LK_MIN_NODE_MAJOR)) ||
    lk_die "Node.js ${node_v} is too old: need ${LK_MIN_NODE_MAJOR}+."
  if ((${npm_v%%.*} < LK_MIN_NPM_MAJOR)); then
    lk_warn "npm ${npm_v} is older than ${LK_MIN_NPM_MAJOR}; Vite 8 may fail to install with it."
  fi
}

lk_check_rust() {
  command -v cargo >/dev/null 2>&1 ||
    lk_die "cargo is not installed (need Rust ${LK_MIN_RUST}+ via rustup; it comes with the machine image)."
  local rustc_v
  rustc_v="$(rustc --version 2>/dev/null | awk '{print $2}')" ||
    lk_die "rustc does not run (is RUSTUP_HOME=${RUSTUP_HOME:-unset} right?)."
  [[ -n "$rustc_v" ]] || lk_die "rustc does not run (is RUSTUP_HOME=${RUSTUP_HOME:-unset} right?)."
  lk_version_ge "${rustc_v%%-*}" "$LK_MIN_RUST" ||
    lk_die "Rust ${rustc_v} is too old: the workspace needs ${LK_MIN_RUST}+."
}

lk_check_rust_components() {
  cargo fmt --version >/dev/null 2>&1 ||
    lk_die "rustfmt is missing: 'rustup component add rustfmt'."
  cargo clippy --version >/dev/null 2>&1 ||
    lk_die "clippy is missing: 'rustup component add clippy'."
}

# ---------------------------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------------------------

lk_as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    lk_die "need root to run '$*' and sudo is not installed."
  fi
}

lk_apt_missing() { # prints the packages of "$@" that are not installed
  local p
  for p in "$@"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
      printf '%s\n' "$p"
    fi
  done
}

LK_APT_UPDATED=0
lk_ensure_apt() { # lk_ensure_apt pkg...
  command -v dpkg-query >/dev/null 2>&1 || lk_die "this script needs a Debian-based system (dpkg-query not found)."
  local missing
  mapfile -t missing < <(lk_apt_missing "$@")
  if ((${#missing[@]} == 0)); then
    lk_log "apt: all ${#} packages already installed"
    return 0
  fi
  lk_log "apt: installing ${missing[*]}"
  local apt_opts=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3 -o Dpkg::Use-Pty=0)
  if ((LK_APT_UPDATED == 0)); then
    lk_as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -q || return 1
    LK_APT_UPDATED=1
  fi
  lk_as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -q \
    --no-install-recommends "${missing[@]}" </dev/null || return 1
  mapfile -t missing < <(lk_apt_missing "$@")
  ((${#missing[@]} == 0)) || lk_die "apt: still missing after install: ${missing[*]}"
}

# ---------------------------------------------------------------------------------------------
# npm ci, skipped when node_modules already matches the lockfile
# ---------------------------------------------------------------------------------------------

lk_npm_ci() { # lk_npm_ci <dir relative to LK_ROOT or absolute>
  local dir="$1"
  [[ "$dir" == /* ]] || dir="$LK_ROOT/$dir"
  [[ -f "$dir/package.json" ]] || lk_die "$dir/package.json not found."
  [[ -f "$dir/package-lock.json" ]] ||
    lk_die "$dir/package-lock.json not found: 'npm ci' needs a committed lockfile (run 'npm install' there once)."
  local stamp="$dir/node_modules/.latchkey-npm-ci.stamp" want
  want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1) node-$(node -p 'process.versions.node')"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    lk_log "npm: ${dir#"$LK_ROOT"/}/node_modules is up to date with its lockfile"
    return 0
  fi
  lk_log "npm: npm ci in ${dir#"$LK_ROOT"/}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=warn </dev/null) || return 1
  printf '%s' "$want" >"$stamp"
}

# ---------------------------------------------------------------------------------------------
# tauri-driver (pinned: crates.io's newest is a 3.0 alpha)
# ---------------------------------------------------------------------------------------------

lk_have_tauri_driver() {
  command -v tauri-driver >/dev/null 2>&1 &&
    cargo install --list 2>/dev/null | grep -qx "tauri-driver v${LK_TAURI_DRIVER_VERSION}:"
}

lk_ensure_tauri_driver() {
  if lk_have_tauri_driver; then
    lk_log "tauri-driver ${LK_TAURI_DRIVER_VERSION} already installed ($(command -v tauri-driver))"
    return 0
  fi
  lk_log "installing tauri-driver ${LK_TAURI_DRIVER_VERSION} with cargo install"
  # Run from / so no project .cargo/config applies; cargo install builds in its own temp dir.
  (cd / && env -u CARGO_TARGET_DIR cargo install tauri-driver --locked --version "$LK_TAURI_DRIVER_VERSION" </dev/null) || return 1
  lk_have_tauri_driver || lk_die "tauri-driver ${LK_TAURI_DRIVER_VERSION} is still not on PATH after cargo install."
}
