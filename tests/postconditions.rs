//! `postcondition` blocks in resources and data sources, with `self`, as
//! Terraform 1.15 checks them on the same terraform_data stacks (recorded
//! with tests/parity/terraform.py; the expectations quote it): at plan
//! time when the planned values decide them, otherwise after apply, where
//! a false one fails that step and its dependents with the object already
//! saved in state.

use crate::common::{drinfra, state_list};

fn stack(main: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), main).unwrap();
    dir
}

const AFTER_APPLY: &str = r#"variable "n" {
  default = 1
}
resource "terraform_data" "x" {
  count = 2
  input = var.n
  lifecycle {
    postcondition {
      condition     = self.output > count.index + 1
      error_message = "output too small for ${count.index}: ${self.output}."
    }
  }
}
resource "terraform_data" "y" {
  input = terraform_data.x[0].output
}
"#;

#[test]
fn a_postcondition_unknown_at_plan_fails_the_apply_step_with_the_object_saved() {
    // Terraform 1.15: the plan passes (output is known only after apply);
    // apply creates both x instances, reports "Resource postcondition
    // failed" at main.tf line 9 once per instance with its message, does
    // not create y, exits 1, and state holds x[0] and x[1] (not tainted).
    // The next plan fails at plan time with the same two errors.
    let dir = stack(AFTER_APPLY);
    let plan = drinfra(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.out);
    let apply = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1, "{}", apply.out);
    assert!(
        apply
            .out
            .contains("main.tf:9:23: error: Resource postcondition failed"),
        "{}",
        apply.out
    );
    assert!(
        apply.out.contains("output too small for 0: 1."),
        "{}",
        apply.out
    );
    assert!(
        apply.out.contains("output too small for 1: 1."),
        "{}",
        apply.out
    );
    assert_eq!(
        state_list(dir.path()),
        vec!["terraform_data.x[0]", "terraform_data.x[1]"]
    );
    let again = drinfra(dir.path(), &["plan"]);
    assert_eq!(again.code, 1, "{}", again.out);
    assert_eq!(
        again
            .out
            .matches("error: Resource postcondition failed")
            .count(),
        2,
        "{}",
        again.out
    );
    // With a value that satisfies them, the plan goes through and apply
    // finishes the dependent.
    let fixed = drinfra(dir.path(), &["apply", "--auto-approve", "--var", "n=5"]);
    assert_eq!(fixed.code, 0, "{}", fixed.out);
    assert_eq!(
        state_list(dir.path()),
        vec![
            "terraform_data.x[0]",
            "terraform_data.x[1]",
            "terraform_data.y"
        ]
    );
}

#[test]
fn a_postcondition_the_plan_decides_fails_the_plan() {
    // Terraform 1.15: "Resource postcondition failed" at main.tf line 5
    // during plan (self.input is known), exit 1, nothing created.
    let dir = stack(
        r#"resource "terraform_data" "c" {
  input = "a"
  lifecycle {
    postcondition {
      condition     = self.input == "b"
      error_message = "input is ${self.input}."
    }
  }
}
"#,
    );
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out
            .contains("main.tf:5:23: error: Resource postcondition failed"),
        "{}",
        run.out
    );
    assert!(run.out.contains("input is a."), "{}", run.out);
    assert!(!dir.path().join("drinfra.tfstate").exists() || state_list(dir.path()).is_empty());
}

#[test]
fn a_data_source_postcondition_is_checked_against_what_was_read() {
    // Terraform 1.15 on terraform_remote_state of a state without outputs:
    // "Resource postcondition failed" at main.tf line 6, "no outputs in local".
    let dir = stack(
        r#"data "terraform_remote_state" "r" {
  backend = "local"
  config  = { path = "other.tfstate" }
  lifecycle {
    postcondition {
      condition     = length(self.outputs) > 0
      error_message = "no outputs in ${self.backend}"
    }
  }
}
"#,
    );
    std::fs::write(
        dir.path().join("other.tfstate"),
        r#"{"version": 4, "terraform_version": "1.15.0", "serial": 1, "lineage": "3f1c2e0a-0000-4000-8000-000000000000", "outputs": {}, "resources": []}"#,
    )
    .unwrap();
    let run = drinfra(dir.path(), &["plan"]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out
            .contains("main.tf:6:23: error: Resource postcondition failed"),
        "{}",
        run.out
    );
    assert!(run.out.contains("no outputs in local"), "{}", run.out);
}

#[test]
fn self_outside_a_postcondition_is_terraforms_error() {
    // Terraform 1.15: `Invalid "self" reference` ("The "self" object is not
    // available in this context...") in arguments and preconditions.
    let dir = stack(
        "resource \"terraform_data\" \"a\" {\n  input = self.id\n}\nresource \"terraform_data\" \"b\" {\n  lifecycle {\n    precondition {\n      condition     = self.id != \"\"\n      error_message = \"x\"\n    }\n  }\n}\n",
    );
    let run = drinfra(dir.path(), &["plan"]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out
            .contains("main.tf:2:11: error: Invalid \"self\" reference"),
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains("main.tf:7:23: error: Invalid \"self\" reference"),
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains("only in resource provisioner, connection, and postcondition blocks"),
        "{}",
        run.out
    );
}

#[test]
fn a_data_source_read_during_apply_fails_its_postcondition_there() {
    // Terraform 1.15: p is created, the read completes, "Resource
    // postcondition failed" at main.tf line 9 ("no outputs in
    // other.tfstate"), `after` is not created, exit 1; p stays in state.
    let dir = stack(
        r#"resource "terraform_data" "p" {
  input = "other.tfstate"
}
data "terraform_remote_state" "r" {
  backend = "local"
  config  = { path = terraform_data.p.output }
  lifecycle {
    postcondition {
      condition     = length(self.outputs) > 0
      error_message = "no outputs in ${self.config.path}"
    }
  }
}
resource "terraform_data" "after" {
  input = data.terraform_remote_state.r.outputs
}
"#,
    );
    std::fs::write(
        dir.path().join("other.tfstate"),
        r#"{"version": 4, "terraform_version": "1.15.0", "serial": 1, "lineage": "3f1c2e0a-0000-4000-8000-000000000000", "outputs": {}, "resources": []}"#,
    )
    .unwrap();
    let plan = drinfra(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.out);
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out
            .contains("main.tf:9:23: error: Resource postcondition failed"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("no outputs in other.tfstate"),
        "{}",
        run.out
    );
    assert_eq!(state_list(dir.path()), vec!["terraform_data.p"]);
}
