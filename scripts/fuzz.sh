#!/usr/bin/env bash
# Runs a fuzz target for longer than the bounded runs in the test suite
# (stable Rust: each target is a test that mutates seed inputs with a
# seeded PRNG and fails on a panic or a case over its time bound).
#
#   scripts/fuzz.sh TARGET [SECONDS]     (default 600 s, or DRINFRA_FUZZ_SECONDS)
#
# Targets: config (the configuration loader and evaluator), state (state
# snapshots and journal records), plan (saved plan files).
# DRINFRA_FUZZ_SEED picks the sequence (config: default the current time,
# printed at the end so a run can be repeated); DRINFRA_FUZZ_CASES bounds
# the number of cases instead of the time. The decoder targets keep inputs
# that panic in target/fuzz-findings/. DRINFRA_FUZZ_RELEASE=1 builds the
# config target optimised (more cases per second, no overflow checks); the
# decoder targets always run optimised.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: scripts/fuzz.sh TARGET [SECONDS] (targets: config, state, plan)}"
export DRINFRA_FUZZ_SECONDS="${2:-${DRINFRA_FUZZ_SECONDS:-600}}"
case "$target" in
  config)
    export DRINFRA_FUZZ_SEED="${DRINFRA_FUZZ_SEED:-$(date +%s)}"
    exec cargo test ${DRINFRA_FUZZ_RELEASE:+--release} --test all fuzz_config:: -- --nocapture
    ;;
  state | plan)
    exec cargo test --release --test all "fuzz_decoders::fuzz_${target}_decoder" -- --exact --nocapture
    ;;
  *)
    echo "unknown fuzz target: $target (targets: config, state, plan)" >&2
    exit 2
    ;;
esac
