#!/usr/bin/env bash
# Latchkey's benchmark: refresh and activation cost in round trips against the sandbox tenant
# with an injected round-trip time, next to a sequential baseline script. Prints a table.
#
#   bash scripts/bench.sh            # full: tenants of 20, 200, 2,000; RTT 100 ms; 3 runs
#   bash scripts/bench.sh --quick    # CI: 20 eligibilities, RTT 20 ms, 1 run
#
# Any other arguments go to latchkey-bench (see --help).
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$LK_ROOT"

lk_check_rust
cargo run -p latchkey-bench --release --quiet -- "$@"
