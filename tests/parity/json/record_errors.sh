#!/usr/bin/env bash
# Records Terraform's first error (summary, file and place) for each case under
# errors/ into its expect.json (see record.sh; same virtual environment).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
py="${TERRAFORM_PYTHON:-$root/.venv-terraform/bin/python}"
for case in "$here"/errors/*/; do
  { "$py" "$here/../terraform.py" -chdir="$case" validate -json 2>/dev/null || true; } |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["diagnostics"][0]; s=d["range"]["start"]; print(json.dumps({"summary": d["summary"], "detail": d["detail"], "filename": d["range"]["filename"], "line": s["line"], "column": s["column"]}))' > "$case/expect.json"
done
