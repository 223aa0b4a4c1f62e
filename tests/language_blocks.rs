//! Terraform's language blocks as drinfra reads them: output
//! `precondition`s (errors at the condition, with the error message) and
//! `check` blocks (warnings, never errors), as Terraform 1.15 reports them
//! for the same configuration (`Module output value precondition failed`,
//! `Check block assertion failed`, exit code 1 and 0).

use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    out: String,
}

fn plan(dir: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .arg("plan")
        .env("NO_COLOR", "1")
        .output()
        .expect("drinfra runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn stack(main: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), main).unwrap();
    dir
}

const CONFIG: &str = r#"variable "n" {
  default = 1
}
output "o" {
  value = var.n
  precondition {
    condition     = var.n > LIMIT
    error_message = "n must exceed LIMIT."
  }
}
check "c" {
  assert {
    condition     = var.n > 3
    error_message = "n is small."
  }
}
"#;

#[test]
fn a_failed_output_precondition_stops_the_plan_at_its_condition() {
    let dir = stack(&CONFIG.replace("LIMIT", "5"));
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out.contains("Module output value precondition failed"),
        "{}",
        run.out
    );
    assert!(run.out.contains("n must exceed 5."), "{}", run.out);
    // Located at the condition (line 7), as Terraform does.
    assert!(run.out.contains("main.tf:7"), "{}", run.out);
    // The check block's warning is there too.
    assert!(
        run.out.contains("Check block assertion failed"),
        "{}",
        run.out
    );
}

#[test]
fn a_failed_check_assertion_is_a_warning() {
    let dir = stack(&CONFIG.replace("LIMIT", "0"));
    let run = plan(dir.path());
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(
        run.out.contains("Check block assertion failed"),
        "{}",
        run.out
    );
    assert!(run.out.contains("n is small."), "{}", run.out);
    assert!(run.out.contains("main.tf:13"), "{}", run.out);
}

#[test]
fn a_check_block_without_assertions_is_refused_at_its_place() {
    let dir = stack("check \"c\" {\n}\n");
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(run.out.contains("at least one assert block"), "{}", run.out);
    assert!(run.out.contains("main.tf:1"), "{}", run.out);
}

#[test]
fn scoped_data_sources_in_check_blocks_are_refused_clearly() {
    let dir = stack(
        "check \"c\" {\n  data \"terraform_remote_state\" \"x\" {\n  }\n  assert {\n    condition     = true\n    error_message = \"x\"\n  }\n}\n",
    );
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(run.out.contains("scoped to a check block"), "{}", run.out);
    assert!(run.out.contains("main.tf:2"), "{}", run.out);
}
