#!/usr/bin/env bash
# The whole test suite. Services and tools the tests need are installed and
# started by this script (none are needed yet beyond the Rust toolchain).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --no-fail-fast
