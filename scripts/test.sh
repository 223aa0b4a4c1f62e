#!/usr/bin/env bash
# The whole test suite. Installs what the tests need first: checkov (from
# PyPI, into .venv-checkov) for the policy-tool test. Nothing else is
# needed beyond the Rust toolchain; the ARM emulator runs inside the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-checkov/bin/checkov ]; then
  python3 -m venv .venv-checkov
  .venv-checkov/bin/pip install --quiet --disable-pip-version-check 'checkov==3.3.30'
fi
cargo test --locked --no-fail-fast
