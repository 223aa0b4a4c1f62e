#!/usr/bin/env bash
# The whole test suite. Installs and starts what the tests need first:
# checkov (from PyPI, into .venv-checkov) for the policy-tool test, and a
# throwaway PostgreSQL server on loopback for the pg backend tests. The
# ARM emulator runs inside the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-checkov/bin/checkov ]; then
  python3 -m venv .venv-checkov
  .venv-checkov/bin/pip install --quiet --disable-pip-version-check 'checkov==3.3.30'
fi
eval "$(scripts/pg.sh start)"
trap 'scripts/pg.sh stop' EXIT
cargo test --locked --no-fail-fast
