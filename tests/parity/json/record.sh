#!/usr/bin/env bash
# Records Terraform's outputs for the JSON-syntax parity corpus into
# expected.json (see ../record.sh; same virtual environment).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
py="${TERRAFORM_PYTHON:-$root/.venv-terraform/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/corpus/." "$work/"
"$py" "$here/../terraform.py" -chdir="$work" init -input=false >/dev/null
"$py" "$here/../terraform.py" -chdir="$work" apply -auto-approve -input=false >/dev/null
"$py" "$here/../terraform.py" -chdir="$work" output -json > "$here/expected.json"
"$py" "$here/../terraform.py" version | head -1 > "$here/expected.version"
