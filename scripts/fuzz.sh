#!/usr/bin/env bash
# Longer fuzz runs on stable Rust than the bounded ones in the test suite.
# Usage: scripts/fuzz.sh TARGET [SECONDS]   (default 600 s, or DRINFRA_FUZZ_SECONDS)
# Targets: state (state snapshots and journal records), plan (saved plan files).
# DRINFRA_FUZZ_SEED picks another deterministic sequence; DRINFRA_FUZZ_CASES
# bounds the number of cases instead of the time. Inputs that panic are kept
# in target/fuzz-findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: scripts/fuzz.sh TARGET [SECONDS] (targets: state, plan)}"
export DRINFRA_FUZZ_SECONDS="${2:-${DRINFRA_FUZZ_SECONDS:-600}}"
case "$target" in
  state | plan)
    exec cargo test --release --test fuzz_decoders "fuzz_${target}_decoder" -- --exact --nocapture
    ;;
  *)
    echo "unknown fuzz target: $target (targets: state, plan)" >&2
    exit 2
    ;;
esac
