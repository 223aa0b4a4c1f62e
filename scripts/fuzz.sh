#!/usr/bin/env bash
# Runs a fuzz target for longer than the test suite does.
#
#   scripts/fuzz.sh [TARGET] [SECONDS]     TARGET: config (default), SECONDS: 600
#
# Each target is a test that mutates seed inputs with a seeded PRNG and
# fails on a panic or a case over its time bound (see the test's header).
# DRINFRA_FUZZ_SEED picks the first seed (default: the current time, printed
# at the end so a run can be repeated); DRINFRA_FUZZ_RELEASE=1 builds with
# optimisations (more cases per second, but no overflow checks).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-config}
seconds=${2:-600}
case "$target" in
  config) test=fuzz_config ;;
  *)
    echo "unknown fuzz target: $target (known: config)" >&2
    exit 2
    ;;
esac

export DRINFRA_FUZZ_SECONDS=$seconds
export DRINFRA_FUZZ_SEED=${DRINFRA_FUZZ_SEED:-$(date +%s)}
cargo test ${DRINFRA_FUZZ_RELEASE:+--release} --test "$test" -- --nocapture
