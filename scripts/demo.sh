#!/usr/bin/env bash
# The main job on a fresh machine, no Azure account needed: builds drinfra,
# then plans and applies the DR platform stack (stacks/platform: two sites
# and the edge) against the embedded ARM emulator, and plans again to show
# it converged. State and emulator data go to state/ (git-ignored);
# `scripts/demo.sh --fresh` starts from an empty cloud.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--fresh" ]; then rm -rf state/platform.tfstate* state/emulator; fi
cargo build --release --locked --quiet
bin=target/release/drinfra
echo "== drinfra plan"
"$bin" -C stacks/platform plan --compact
echo "== drinfra apply"
"$bin" -C stacks/platform apply --auto-approve
echo "== drinfra plan (again: nothing left to do)"
"$bin" -C stacks/platform plan --detailed-exitcode
