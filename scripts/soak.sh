#!/usr/bin/env bash
# Latchkey's chaos soak in long mode: the core against the sandbox tenant with ~20% faults on
# every route, many operations, then the lost/duplicated audit (crates/latchkey-core/tests/soak.rs).
# CI runs the bounded version through `cargo test`; this is for soak runs.
#
#   bash scripts/soak.sh                 # 5,000 operations, default seed
#   bash scripts/soak.sh 20000 42        # operations, seed
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$LK_ROOT"

lk_check_rust
LATCHKEY_SOAK_OPS="${1:-5000}" LATCHKEY_SOAK_SEED="${2:-20240601}" \
  cargo test -p latchkey-core --test soak chaos_soak -- --nocapture
