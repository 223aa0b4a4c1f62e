#!/usr/bin/env sh
# The drinfra commands both example pipelines run, in Terraform's
# spellings. `ci.sh plan` on a pull request: checks, plans, saves the plan
# (tfplan) and its Markdown (plan.md) for the comment. `ci.sh apply` after
# the merge: applies that saved plan as it was reviewed.
#
# Environment: BACKEND_CONFIG (a .tfbackend file completing the backend
# block), DRINFRA (the binary, default: drinfra), STACK (default: stack
# next to this script). Sign-in comes from ARM_* variables (OIDC in the
# pipelines: ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID,
# ARM_SUBSCRIPTION_ID; the azurerm backend uses it with
# use_azuread_auth = true in the .tfbackend).
set -eu
drinfra="${DRINFRA:-drinfra}"
stack="${STACK:-$(dirname "$0")/stack}"
init() {
  if [ -n "${BACKEND_CONFIG:-}" ]; then
    "$drinfra" -chdir="$stack" init -input=false -backend-config="$BACKEND_CONFIG"
  else
    "$drinfra" -chdir="$stack" init -input=false
  fi
}
case "${1:-}" in
plan)
  init
  "$drinfra" -chdir="$stack" fmt -check -recursive
  "$drinfra" -chdir="$stack" validate -no-color
  # 0: no changes, 2: changes; anything else fails the job. -lock=false:
  # a pull request's plan must not hold up a running apply.
  code=0
  "$drinfra" -chdir="$stack" plan -input=false -lock=false -no-color \
    -out=tfplan -detailed-exitcode || code=$?
  [ "$code" -eq 0 ] || [ "$code" -eq 2 ]
  "$drinfra" -chdir="$stack" show -markdown tfplan > "$stack/plan.md"
  echo "changes=$([ "$code" -eq 2 ] && echo true || echo false)"
  ;;
apply)
  init
  "$drinfra" -chdir="$stack" apply -input=false -auto-approve tfplan
  ;;
*)
  echo "usage: ci.sh plan|apply" >&2
  exit 64
  ;;
esac
